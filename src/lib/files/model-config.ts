/**
 * config.json, read once into a typed ModelConfig: what the loader, the session and the tokenizer need from it, each
 * field checked, with a ModelLoadError that names the key when a value has the wrong type. Keys a model does not
 * declare stay undefined (many configs leave some out); keys the library does not use are ignored.
 */
import { isDtype } from '../dtypes.ts';
import { ModelLoadError } from '../errors.ts';
import type { Dtype, EmbeddingStorage } from '../types.ts';

/**
 * The `embedding_quantization` key a compact export writes: its q4/q4f16 files store the embedding tables in `bits`-bit
 * blocks (absent: the tables are stored as the rest of the file's weights).
 */
export interface EmbeddingQuantization {
  /** The dtypes whose files store their embeddings this way. */
  readonly dtypes: readonly Dtype[];
  readonly bits: number;
  readonly blockSize: number;
  readonly symmetric: boolean;
  /** The tables stored this way (`word_embeddings`, ...). */
  readonly tables: readonly string[];
  /** How the graph looks them up, in words. */
  readonly lookup: string;
}

export interface ModelConfig {
  /** `architectures[0]`, else `model_type`, else 'unknown' (`XLMRobertaForSequenceClassification`, ...). */
  readonly architecture: string;
  readonly modelType: string | undefined;
  /** Labels declared (`id2label`'s size, else `num_labels`). */
  readonly labels: number | undefined;
  /**
   * Tokens a pair may have: the position table's size, less RoBERTa's offset (XLM-R models number positions from
   * pad_token_id + 1, so 514 positions hold 512 tokens); BERT-family models start at 0.
   */
  readonly positions: number | undefined;
  readonly padTokenId: number | undefined;
  readonly vocabSize: number | undefined;
  /** `transformers.js_config.use_external_data_format`: data files per ONNX file name, and for files not named. */
  readonly externalData: { readonly byFile: Readonly<Record<string, number>>; readonly otherwise: number };
  readonly embeddingQuantization: EmbeddingQuantization | null;
  /** `generated_by` is present: the weights are generated (random), not a trained model's. */
  readonly generated: boolean;
}

type Json = Record<string, unknown>;

function fail(key: string, expected: string, value: unknown): never {
  throw new ModelLoadError(`config.json's ${key} must be ${expected}, got ${JSON.stringify(value)}`);
}

function optionalInteger(config: Json, key: string, min: number): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < min) fail(key, `an integer ≥ ${min}`, value);
  return value as number;
}

function optionalString(config: Json, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(key, 'a string', value);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A data-file count from `true` (one file), `false` or a count. */
function chunkCount(value: unknown, key: string): number {
  if (value === true) return 1;
  if (value === false || value === undefined || value === null) return 0;
  if (Number.isInteger(value) && (value as number) >= 0) return value as number;
  return fail(key, 'true, false or a file count', value);
}

function externalData(config: Json): ModelConfig['externalData'] {
  const jsConfig = config['transformers.js_config'];
  const key = 'transformers.js_config.use_external_data_format';
  const setting = isObject(jsConfig) ? jsConfig.use_external_data_format : undefined;
  if (!isObject(setting)) return { byFile: {}, otherwise: chunkCount(setting, key) };
  const byFile = Object.fromEntries(Object.entries(setting).map(([file, v]) => [file, chunkCount(v, `${key}["${file}"]`)]));
  return { byFile, otherwise: 0 };
}

function embeddingQuantization(config: Json): EmbeddingQuantization | null {
  const key = 'embedding_quantization';
  const value = config[key];
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail(key, 'an object', value);
  const { dtypes, bits, block_size: blockSize, symmetric, tables, lookup } = value;
  if (!Array.isArray(dtypes) || !dtypes.every(isDtype)) fail(`${key}.dtypes`, 'a list of dtypes', dtypes);
  if (!Number.isInteger(bits) || (bits as number) < 1 || (bits as number) > 16) fail(`${key}.bits`, 'an integer from 1 to 16', bits);
  if (!Number.isInteger(blockSize) || (blockSize as number) < 1) fail(`${key}.block_size`, 'a positive integer', blockSize);
  if (typeof symmetric !== 'boolean') fail(`${key}.symmetric`, 'true or false', symmetric);
  if (!Array.isArray(tables) || !tables.every((t) => typeof t === 'string')) fail(`${key}.tables`, 'a list of names', tables);
  if (lookup !== undefined && typeof lookup !== 'string') fail(`${key}.lookup`, 'a string', lookup);
  return {
    dtypes: dtypes as Dtype[],
    bits: bits as number,
    blockSize: blockSize as number,
    symmetric,
    tables: tables as string[],
    lookup: lookup ?? '',
  };
}

function declaredLabels(config: Json): number | undefined {
  const id2label = config.id2label;
  if (id2label !== undefined && id2label !== null) {
    if (!isObject(id2label)) return fail('id2label', 'an object', id2label);
    return Object.keys(id2label).length;
  }
  return optionalInteger(config, 'num_labels', 1);
}

/**
 * Parses config.json's object (already JSON-parsed).
 *
 * @example
 * parseModelConfig({ architectures: ['XLMRobertaForSequenceClassification'], model_type: 'xlm-roberta',
 *   max_position_embeddings: 514, pad_token_id: 1, vocab_size: 250002 })
 * // → { architecture: 'XLMRobertaForSequenceClassification', positions: 512, padTokenId: 1, vocabSize: 250002, ... }
 */
export function parseModelConfig(config: Json): ModelConfig {
  if (!isObject(config)) throw new ModelLoadError('config.json does not hold a JSON object');
  const architectures = config.architectures;
  if (architectures !== undefined && !(Array.isArray(architectures) && architectures.every((a) => typeof a === 'string'))) {
    fail('architectures', 'a list of class names', architectures);
  }
  const modelType = optionalString(config, 'model_type');
  const padTokenId = optionalInteger(config, 'pad_token_id', 0);
  const maxPositions = optionalInteger(config, 'max_position_embeddings', 1);
  const roberta = /roberta|camembert/i.test(modelType ?? '');
  return Object.freeze({
    architecture: (architectures as string[] | undefined)?.[0] ?? modelType ?? 'unknown',
    modelType,
    labels: declaredLabels(config),
    positions: maxPositions === undefined ? undefined : roberta ? maxPositions - (padTokenId ?? 1) - 1 : maxPositions,
    padTokenId,
    vocabSize: optionalInteger(config, 'vocab_size', 1),
    externalData: externalData(config),
    embeddingQuantization: embeddingQuantization(config),
    generated: config.generated_by !== undefined && config.generated_by !== null,
  });
}

/**
 * The external data files of an ONNX file, as config.json lists them: `model.onnx_data`, then `model.onnx_data_1`, ...
 *
 * @example
 * externalDataFiles(configWith({ 'model.onnx': 2 }), 'onnx/model.onnx') // → ['onnx/model.onnx_data', 'onnx/model.onnx_data_1']
 */
export function externalDataFiles(config: ModelConfig, onnxPath: string): string[] {
  const file = onnxPath.split('/').pop() ?? onnxPath;
  const count = Object.hasOwn(config.externalData.byFile, file) ? config.externalData.byFile[file] : config.externalData.otherwise;
  return Array.from({ length: count }, (_, i) => `${onnxPath}_data${i === 0 ? '' : `_${i}`}`);
}

/** How the file of `dtype` stores its embedding tables (reported in `info.embeddings`). */
export function embeddingStorage(config: ModelConfig, dtype: Dtype): EmbeddingStorage {
  const q = config.embeddingQuantization;
  if (!q || !q.dtypes.includes(dtype)) return { format: 'as-file' };
  return { format: 'block-quantized', bits: q.bits, blockSize: q.blockSize, symmetric: q.symmetric, tables: [...q.tables], lookup: q.lookup };
}
