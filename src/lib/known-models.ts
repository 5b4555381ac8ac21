/**
 * Cross-encoders on the Hugging Face hub in the layout this library reads (transformers.js / onnx-community:
 * `config.json`, `tokenizer.json`, `onnx/model*.onnx`), with what a user needs to choose one: languages, size, and
 * the download of each dtype. DOM-free, data only: the app's model picker and the README read it.
 */
import { DTYPES } from './backend.ts';
import type { Dtype } from './types.ts';

export interface KnownModel {
  /** The hub repository to load (`createReranker({ model: id })`). */
  id: string;
  /** The model it was converted from. */
  original: string;
  /** A short name for lists. */
  name: string;
  /** Encoder family and size, e.g. 'XLM-RoBERTa large'. */
  architecture: string;
  layers: number;
  parameters: number;
  /** Short human text: '100+ languages', 'English'. */
  languages: string;
  /** Tokens per (query, document) pair the model's position embeddings allow. */
  maxTokens: number;
  /** One line: on which device and for which texts to pick it. */
  pickWhen: string;
  /**
   * Bytes to download for each dtype's ONNX file (fp32: `model.onnx` plus `model.onnx_data` where the weights are
   * external). A dtype the repository does not publish is absent; `null`: published, size not measured yet.
   */
  downloadBytes: Readonly<Partial<Record<Dtype, number | null>>>;
}

const V2_M3 = 'onnx-community/bge-reranker-v2-m3-ONNX';
const BASE = 'Xenova/bge-reranker-base';
const MINILM = 'Xenova/ms-marco-MiniLM-L-6-v2';

/**
 * Sizes of the hub's own files, where known to the byte (shared/notes/reranker-facts.md): onnx-community's
 * `model_quantized.onnx` is its `model_int8.onnx`.
 */
const HUB_BYTES: Readonly<Record<string, Partial<Record<Dtype, number>>>> = {
  [V2_M3]: { q8: 570_727_094, int8: 570_727_094 },
};

/**
 * Sizes of this project's generated models with the same architecture (`npm run make-model`: same graph, same
 * tensor shapes, same quantisers), used where the hub's exact size is not known. Float and 4-bit files agree with the
 * hub's rounded listing (fp32 2.27 GB, fp16 1.14 GB, q4 1.25 GB for bge-reranker-v2-m3); the dynamic-quantised ones
 * can differ by a few MB (our `model_int8.onnx` for v2-m3 is 569,158,789 bytes, the hub's 570,727,094), which is why
 * `HUB_BYTES` wins where it has a figure.
 * - v2-m3: `--preset full` (24 × 1024, vocab 250002), `ls -l models/full/onnx/`; fp32 = model.onnx 243,179 +
 *   model.onnx_data 2,271,023,104.
 * - bge-reranker-base (12 × 768 XLM-R) and ms-marco-MiniLM-L-6-v2 (6 × 384 BERT): presets being added to the
 *   generator; `null` until they are measured. Both Xenova repositories publish only `model.onnx`, `model_fp16.onnx`
 *   and `model_quantized.onnx` (the hub's listings), so only those dtypes are listed.
 */
const GENERATED_SAME_ARCHITECTURE_BYTES: Readonly<Record<string, Partial<Record<Dtype, number | null>>>> = {
  [V2_M3]: {
    fp32: 243_179 + 2_271_023_104,
    fp16: 1_135_729_116,
    q8: 594_335_138,
    int8: 569_158_789,
    uint8: 569_158_790,
    q4: 1_248_514_308,
    q4f16: 700_141_715,
  },
  // TODO(lead): sizes of the generated bge-reranker-base-shaped model.
  [BASE]: { fp32: null, fp16: null, q8: null },
  // TODO(lead): sizes of the generated ms-marco-MiniLM-L-6-v2-shaped model.
  [MINILM]: { fp32: null, fp16: null, q8: null },
};

const sizes = (id: string): Partial<Record<Dtype, number | null>> => ({ ...GENERATED_SAME_ARCHITECTURE_BYTES[id], ...HUB_BYTES[id] });

/** The known models, the default (bge-reranker-v2-m3, the best) first, then lighter ones for devices without WebGPU. */
export const KNOWN_MODELS: readonly KnownModel[] = Object.freeze([
  {
    id: V2_M3,
    original: 'BAAI/bge-reranker-v2-m3',
    name: 'bge-reranker-v2-m3',
    architecture: 'XLM-RoBERTa large',
    layers: 24,
    parameters: 568_000_000,
    languages: '100+ languages',
    maxTokens: 8192,
    pickWhen: 'A GPU with WebGPU: the best quality, multilingual, long inputs.',
    downloadBytes: sizes(V2_M3),
  },
  {
    id: BASE,
    original: 'BAAI/bge-reranker-base',
    name: 'bge-reranker-base',
    architecture: 'XLM-RoBERTa base',
    layers: 12,
    parameters: 278_000_000,
    languages: 'Chinese and English',
    maxTokens: 512,
    pickWhen: 'No WebGPU, Chinese or English texts: half the layers of v2-m3.',
    downloadBytes: sizes(BASE),
  },
  {
    id: MINILM,
    original: 'cross-encoder/ms-marco-MiniLM-L-6-v2',
    name: 'ms-marco-MiniLM-L-6-v2',
    architecture: 'BERT (MiniLM)',
    layers: 6,
    parameters: 22_700_000,
    languages: 'English only',
    maxTokens: 512,
    pickWhen: 'No WebGPU, English texts: the fastest and smallest download.',
    downloadBytes: sizes(MINILM),
  },
].map((model) => Object.freeze(model)));

/**
 * The known model with this hub id (exact match), or undefined for any other id (which still loads if it has the layout).
 *
 * @example
 * knownModel('Xenova/ms-marco-MiniLM-L-6-v2')?.languages // → 'English only'
 * knownModel('someone/some-reranker')                    // → undefined
 */
export function knownModel(id: string): KnownModel | undefined {
  return KNOWN_MODELS.find((model) => model.id === id);
}

/**
 * The dtypes whose ONNX file the model's repository publishes, in `ONNX_FILE_BY_DTYPE`'s order.
 *
 * @example
 * publishedDtypes(knownModel('Xenova/bge-reranker-base')!) // → ['fp32', 'fp16', 'q8']
 */
export function publishedDtypes(model: KnownModel): Dtype[] {
  return DTYPES.filter((dtype) => dtype in model.downloadBytes);
}
