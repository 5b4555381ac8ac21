/** Model sizes the generator can write. `full` has bge-reranker-v2-m3's exact dimensions. */
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/backend.ts';
import type { Dtype } from '../../src/lib/types.ts';

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
  /** For tests: small enough to commit in every dtype and to run on WebGPU through SwiftShader. */
  tiny: { layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 514, typeVocab: 1 },
  /** For CPU benchmarks: MiniLM-sized, head_dim 64 like the real model. */
  small: { layers: 6, hidden: 384, heads: 6, intermediate: 1536, vocab: undefined, maxPositions: 8194, typeVocab: 1 },
  /** BAAI/bge-reranker-v2-m3: 24 layers, hidden 1024, 16 heads, FFN 4096, vocab 250002, 8194 positions. */
  full: { layers: 24, hidden: 1024, heads: 16, intermediate: 4096, vocab: 250002, maxPositions: 8194, typeVocab: 1 },
} as const satisfies Record<string, ModelDims>;

export type PresetName = keyof typeof PRESETS;

/**
 * transformers.js' dtype names, as the onnx-community export has them:
 * - fp32; fp16 (every float in half precision, logits cast back to float32, as `keep_io_types=True` leaves them);
 * - q8: this generator's first quantised variant (MatMulInteger weights, the word-embedding table in uint8);
 * - int8, uint8: onnxruntime's dynamic quantisation with signed / unsigned weights, as transformers.js' quantize.py
 *   runs it (every Gather table quantised too);
 * - q4: onnxruntime's MatMulNBitsQuantizer (4-bit, block 32, symmetric) on every weight MatMul, embeddings float;
 *   q4f16: the same in half precision, logits float32.
 */
export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16'] as const satisfies readonly Dtype[];
export type GeneratedDtype = (typeof DTYPES)[number];

/** File names of the published onnx-community export: the core's map, the one place they are written. */
export const ONNX_FILE: Record<GeneratedDtype, string> = ONNX_FILE_BY_DTYPE;

/** MatMulNBits block size: transformers.js' quantize.py default for q4 and q4f16 (`block_size or 32`). */
export const Q4_BLOCK_SIZE = 32;

export const LAYER_NORM_EPS = 1e-5;
export const PAD_TOKEN_ID = 1;
