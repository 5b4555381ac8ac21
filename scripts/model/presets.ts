/** Model sizes the generator can write. `full` has bge-reranker-v2-m3's exact dimensions. */
export interface ModelDims {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  /** Vocabulary size; `undefined` means "whatever the corpus-built tokenizer learned". */
  vocab: number | undefined;
  maxPositions: number;
  typeVocab: number;
}

export const PRESETS = {
  /** For tests: small enough to commit in three dtypes and to run on WebGPU through SwiftShader. */
  tiny: { layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 514, typeVocab: 1 },
  /** For CPU benchmarks: MiniLM-sized, head_dim 64 like the real model. */
  small: { layers: 6, hidden: 384, heads: 6, intermediate: 1536, vocab: undefined, maxPositions: 8194, typeVocab: 1 },
  /** BAAI/bge-reranker-v2-m3: 24 layers, hidden 1024, 16 heads, FFN 4096, vocab 250002, 8194 positions. */
  full: { layers: 24, hidden: 1024, heads: 16, intermediate: 4096, vocab: 250002, maxPositions: 8194, typeVocab: 1 },
} as const satisfies Record<string, ModelDims>;

export type PresetName = keyof typeof PRESETS;

export const DTYPES = ['fp32', 'fp16', 'q8'] as const;
export type GeneratedDtype = (typeof DTYPES)[number];

/** File names of the published onnx-community export, which transformers.js resolves from a dtype. */
export const ONNX_FILE: Record<GeneratedDtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
};

export const LAYER_NORM_EPS = 1e-5;
export const PAD_TOKEN_ID = 1;
