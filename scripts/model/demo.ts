import { DTYPES } from './presets.ts';
import type { MakeModelOptions } from './write-model.ts';

/** The demo model committed under public/models/: what `npm run make-demo-models` writes (every dtype). */
export const DEMO_MODEL: MakeModelOptions = {
  preset: 'tiny',
  dtypes: [...DTYPES],
  seed: 42,
  out: 'public/models/tiny-random-bge-reranker',
  safetensors: true,
};

/** The tiny BERT cross-encoder (ms-marco-MiniLM's architecture and files), committed beside it. */
export const DEMO_BERT_MODEL: MakeModelOptions = {
  preset: 'tiny',
  arch: 'bert',
  dtypes: [...DTYPES],
  seed: 42,
  out: 'public/models/tiny-random-bert-reranker',
  safetensors: true,
};
