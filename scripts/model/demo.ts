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

/**
 * The same two models with compact embeddings (`--embeddings q4`): q4 and q4f16 only, whose word and position tables are
 * 4-bit (embedding-q4.ts). Their fp32 weights are the demo models' (same preset and seed), so those folders' fp32 files
 * are their reference. The demo folders above keep float tables, as the published export has them.
 */
export const DEMO_COMPACT_MODEL: MakeModelOptions = {
  ...DEMO_MODEL,
  dtypes: ['q4', 'q4f16'],
  out: 'public/models/tiny-random-bge-reranker-compact',
  safetensors: false,
  embeddings: 'q4',
};

export const DEMO_COMPACT_BERT_MODEL: MakeModelOptions = {
  ...DEMO_BERT_MODEL,
  dtypes: ['q4', 'q4f16'],
  out: 'public/models/tiny-random-bert-reranker-compact',
  safetensors: false,
  embeddings: 'q4',
};
