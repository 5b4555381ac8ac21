/**
 * Cross-encoders on the Hugging Face hub in the layout this library reads (transformers.js / onnx-community:
 * `config.json`, `tokenizer.json`, `onnx/model*.onnx`), with what a user needs to choose one: languages, size, and
 * the download of each dtype. DOM-free, data only: the app's model picker and the README read it.
 */
import { DTYPE_ORDER } from '../dtypes.ts';
import type { Dtype } from '../types.ts';

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
   * external). A dtype the repository does not publish is absent.
   */
  downloadBytes: Readonly<Partial<Record<Dtype, number>>>;
  /**
   * Bytes of the 4-bit files with 4-bit embedding tables too (`npm run export -- --embeddings q4`), which no hub
   * repository publishes: files to host yourself (README, "Host your own compact model"). Absent: not measured.
   */
  compactBytes?: Readonly<Partial<Record<'q4' | 'q4f16', number>>>;
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
 * tensor shapes, same quantisers), used where the hub's exact size is not known. The float and 4-bit files agree with
 * the hub's rounded listings; the dynamic-quantised ones can differ by a few percent (for v2-m3 our
 * `model_quantized.onnx` is 594,335,138 bytes, the hub's 570,727,094), which is why `HUB_BYTES` wins where it has a
 * figure. Measured with `ls -l` on the generator's output (`--preset full`, `base`, `minilm`; `--dtype all` for full,
 * `fp32,fp16,q8` for the others), generator as of commit 85eced8:
 * - v2-m3 (24 × 1024 XLM-R, vocab 250002): fp32 = model.onnx 243,179 + model.onnx_data 2,271,023,104. The hub lists
 *   2.27 GB, 1.14 GB, 1.25 GB for fp32, fp16, q4.
 * - bge-reranker-base (12 × 768 XLM-R, vocab 250002): the hub lists 1.11 GB, 556 MB, 279 MB.
 * - ms-marco-MiniLM-L-6-v2 (6 × 384 BERT, vocab 30522): the hub lists 91 MB, 45.6 MB, 23.1 MB (our q8 is 0.4 MB more).
 * Both Xenova repositories publish only `model.onnx`, `model_fp16.onnx` and `model_quantized.onnx` (their hub
 * listings), so only those dtypes are listed for them.
 */
const GENERATED_SAME_ARCHITECTURE_BYTES: Readonly<Record<string, Partial<Record<Dtype, number>>>> = {
  [V2_M3]: {
    fp32: 243_179 + 2_271_023_104,
    fp16: 1_135_729_116,
    q8: 594_335_138,
    int8: 569_158_789,
    uint8: 569_158_790,
    q4: 1_248_514_308,
    q4f16: 700_141_715,
  },
  [BASE]: { fp32: 1_112_287_792, fp16: 556_198_860, q8: 279_817_580 },
  [MINILM]: { fp32: 90_912_377, fp16: 45_485_151, q8: 23_510_880 },
};

/**
 * Sizes as the hub lists them (rounded to 0.1 MB), where our generated file differs by more than that rounding: what
 * a user downloads is the hub's file. MiniLM's q8 is listed at 23.1 MB; our generated one is 23,510,880 bytes (23.5 MB).
 */
const HUB_LISTED_BYTES: Readonly<Record<string, Partial<Record<Dtype, number>>>> = {
  [MINILM]: { q8: 23_100_000 },
};

const sizes = (id: string): Partial<Record<Dtype, number>> =>
  ({ ...GENERATED_SAME_ARCHITECTURE_BYTES[id], ...HUB_LISTED_BYTES[id], ...HUB_BYTES[id] });

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
    // `make-model --preset full --embeddings q4` (the exporter writes the same graph), measured with `ls -l`.
    compactBytes: { q4f16: 320_083_393, q4: 356_195_128 },
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
 * The dtypes whose ONNX file the model's repository publishes, in the dtype table's order (`DTYPE_ORDER`).
 *
 * @example
 * publishedDtypes(knownModel('Xenova/bge-reranker-base')!) // → ['fp32', 'fp16', 'q8']
 */
export function publishedDtypes(model: KnownModel): Dtype[] {
  return DTYPE_ORDER.filter((dtype) => dtype in model.downloadBytes);
}
