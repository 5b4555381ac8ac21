import type { MakeModelOptions } from './write-model.ts';

/** The demo model committed under public/models/: what `npm run make-demo-models` writes. */
export const DEMO_MODEL: MakeModelOptions = {
  preset: 'tiny',
  dtypes: ['fp32', 'fp16', 'q8'],
  seed: 42,
  out: 'public/models/tiny-random-bge-reranker',
  safetensors: true,
};
