/**
 * Model sizes and architectures the generator can write. `full` has bge-reranker-v2-m3's exact dimensions, `base`
 * bge-reranker-base's, `minilm` cross-encoder/ms-marco-MiniLM-L-6-v2's.
 */
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import type { Dtype } from '../../src/lib/types.ts';

/** `xlmr`: XLMRobertaForSequenceClassification (bge-reranker); `bert`: BertForSequenceClassification (ms-marco-MiniLM). */
export const ARCHS = ['xlmr', 'bert'] as const;
export type Arch = (typeof ARCHS)[number];

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

/** What differs between the two architectures besides the layer stack, which they share. */
export interface ArchConstants {
  /** Hugging Face's class name: config.json `architectures` and the ONNX metadata. */
  className: string;
  modelType: string;
  /** The encoder's weight-name prefix in Hugging Face checkpoints. */
  prefix: 'roberta' | 'bert';
  layerNormEps: number;
  padTokenId: number;
}

export const ARCH_CONSTANTS: Record<Arch, ArchConstants> = {
  xlmr: { className: 'XLMRobertaForSequenceClassification', modelType: 'xlm-roberta', prefix: 'roberta',
    layerNormEps: 1e-5, padTokenId: 1 },
  bert: { className: 'BertForSequenceClassification', modelType: 'bert', prefix: 'bert', layerNormEps: 1e-12,
    padTokenId: 0 },
};

const ARCH_NAMES: Record<Arch, string> = { xlmr: 'XLM-R', bert: 'BERT' };

/** Each preset's dimensions, for each architecture it exists in. */
export const PRESETS = {
  /** For tests: small enough to commit in every dtype and to run on WebGPU through SwiftShader. */
  tiny: {
    xlmr: { layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 514, typeVocab: 1 },
    bert: { layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 512, typeVocab: 2 },
  },
  /** For CPU benchmarks: MiniLM-sized, head_dim 64 like the real model. */
  small: {
    xlmr: { layers: 6, hidden: 384, heads: 6, intermediate: 1536, vocab: undefined, maxPositions: 8194, typeVocab: 1 },
  },
  /** BAAI/bge-reranker-base: 12 layers, hidden 768, 12 heads, FFN 3072, vocab 250002, 514 positions. */
  base: {
    xlmr: { layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 250002, maxPositions: 514, typeVocab: 1 },
  },
  /** BAAI/bge-reranker-v2-m3: 24 layers, hidden 1024, 16 heads, FFN 4096, vocab 250002, 8194 positions. */
  full: {
    xlmr: { layers: 24, hidden: 1024, heads: 16, intermediate: 4096, vocab: 250002, maxPositions: 8194, typeVocab: 1 },
  },
  /** cross-encoder/ms-marco-MiniLM-L-6-v2: 6 layers, hidden 384, 12 heads, FFN 1536, vocab 30522, 512 positions. */
  minilm: {
    bert: { layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512, typeVocab: 2 },
  },
} as const satisfies Record<string, Partial<Record<Arch, ModelDims>>>;

export type PresetName = keyof typeof PRESETS;

/**
 * A preset's dimensions in one architecture; a preset that does not exist in it is refused with the ones that do.
 *
 * @example
 * presetDims('tiny', 'bert').typeVocab; // 2
 * presetDims('minilm', 'xlmr');         // throws: preset "minilm" is BERT only (use --arch bert); ...
 */
export function presetDims(preset: PresetName, arch: Arch): ModelDims {
  const byArch: Partial<Record<Arch, ModelDims>> = PRESETS[preset];
  const dims = byArch[arch];
  if (dims) return dims;
  const archs = (Object.keys(byArch) as Arch[]).map((a) => `${ARCH_NAMES[a]} (--arch ${a})`).join(' or ');
  const presets = (Object.keys(PRESETS) as PresetName[]).filter((p) => arch in PRESETS[p]).join(', ');
  throw new RangeError(`preset "${preset}" is ${archs} only; ${ARCH_NAMES[arch]} presets are ${presets}`);
}

/** Classifier outputs the generator writes: one relevance logit (the rerankers), or two (for two-label exports). */
export const LABEL_COUNTS = [1, 2] as const;
export type LabelCount = (typeof LABEL_COUNTS)[number];

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

/** XLM-R's: kept as names because the XLM-R graph and config read them. */
export const LAYER_NORM_EPS = ARCH_CONSTANTS.xlmr.layerNormEps;
export const PAD_TOKEN_ID = ARCH_CONSTANTS.xlmr.padTokenId;
