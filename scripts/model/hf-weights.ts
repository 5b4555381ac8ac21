/**
 * A Hugging Face model folder as the generator's weight source, for `npm run export`: the dimensions from config.json,
 * each weight the graph asks for read from the safetensors checkpoint when asked (safetensors-reader.ts), so the graph
 * written is the generator's own with the checkpoint's values. Everything is checked before a file is written: the
 * architecture and the settings the graph hard-codes, every tensor's presence, dtype and shape, and that the tokenizer's
 * ids fit the word-embedding table.
 *
 * @example
 * const weights = HfWeights.open('bge-reranker-v2-m3');
 * weights.dims;                 // { arch: 'xlmr', layers: 24, hidden: 1024, heads: 16, vocab: 250002, labels: 1, … }
 * weights.get('classifier.out_proj.bias'); // Float32Array [ … ] (from model.safetensors, or `out_proj.bias` bare)
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelLoadError } from '../../src/lib/errors.ts';
import { ARCH_CONSTANTS, ARCHS, LABEL_COUNTS, type Arch } from './presets.ts';
import { weightSpecs, type ModelWeights, type ResolvedDims, type WeightSpec } from './weights.ts';
import { FLOAT_DTYPES, readJsonFile, SafetensorsCheckpoint, SHARD_INDEX, type TensorLocation } from './safetensors-reader.ts';

/** The generator's mark in config.json: a folder it wrote keeps its seed, so the round trip gives the same files. */
const GENERATOR_NAME = 'bge-reranker-web make-model';

/** Hears of each tensor as the graph reads it (for progress). */
export type TensorListener = (name: string, location: TensorLocation) => void;

type Config = Record<string, unknown>;

function modelLoadError(file: string, message: string): ModelLoadError {
  return new ModelLoadError(`${file}: ${message}`);
}

function archOf(config: Config, file: string): Arch {
  const arch = ARCHS.find((a) => ARCH_CONSTANTS[a].modelType === config.model_type);
  if (!arch) {
    const supported = ARCHS.map((a) => ARCH_CONSTANTS[a].modelType).join(', ');
    throw modelLoadError(file, `model_type ${JSON.stringify(config.model_type)} is not supported (${supported})`);
  }
  const className = ARCH_CONSTANTS[arch].className;
  const architectures = config.architectures;
  if (Array.isArray(architectures) && !architectures.includes(className)) {
    throw modelLoadError(file, `architectures ${JSON.stringify(architectures)}: the exporter writes ${className} ` +
      '(a cross-encoder with a classification head), not this class');
  }
  return arch;
}

/** The classifier's output count: `num_labels`, else the size of `id2label` (as transformers' PretrainedConfig). */
function labelCount(config: Config, file: string): number {
  const id2label = config.id2label;
  const labels = typeof config.num_labels === 'number' ? config.num_labels
    : typeof id2label === 'object' && id2label !== null ? Object.keys(id2label).length : 2;
  if (!(LABEL_COUNTS as readonly number[]).includes(labels)) {
    throw modelLoadError(file, `${labels} labels: the exporter writes cross-encoders with ${LABEL_COUNTS.join(' or ')}`);
  }
  return labels;
}

/**
 * The dimensions of the model that config.json describes, refused where the generator's graph would compute something
 * else (its activation, LayerNorm epsilon, position scheme and XLM-R's padding id are fixed).
 */
export function dimsFromConfig(config: Config, file: string): ResolvedDims {
  const arch = archOf(config, file);
  const int = (key: string, fallback?: number): number => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw modelLoadError(file, `${key} is ${JSON.stringify(config[key])}, not a positive integer`);
    }
    return value;
  };
  const dims: ResolvedDims = {
    arch,
    layers: int('num_hidden_layers'),
    hidden: int('hidden_size'),
    heads: int('num_attention_heads'),
    intermediate: int('intermediate_size'),
    vocab: int('vocab_size'),
    maxPositions: int('max_position_embeddings'),
    typeVocab: int('type_vocab_size', 2),
    labels: labelCount(config, file),
  };
  if (dims.hidden % dims.heads !== 0) throw modelLoadError(file, `hidden_size ${dims.hidden} is not divisible by ${dims.heads} heads`);
  const constants = ARCH_CONSTANTS[arch];
  const fixed: [string, unknown, unknown][] = [
    ['hidden_act', config.hidden_act ?? 'gelu', 'gelu'],
    ['position_embedding_type', config.position_embedding_type ?? 'absolute', 'absolute'],
    ['layer_norm_eps', config.layer_norm_eps ?? constants.layerNormEps, constants.layerNormEps],
    // XLM-R's position ids count from the padding id; BERT's graph does not read it.
    ...(arch === 'xlmr' ? [['pad_token_id', config.pad_token_id ?? constants.padTokenId, constants.padTokenId] as [string, unknown, unknown]] : []),
  ];
  for (const [key, value, expected] of fixed) {
    if (value !== expected) {
      throw modelLoadError(file, `${key} is ${JSON.stringify(value)}; the exported ${constants.className} graph uses ` +
        `${JSON.stringify(expected)}`);
    }
  }
  if (arch === 'xlmr' && dims.typeVocab < 1) throw modelLoadError(file, 'type_vocab_size must be at least 1');
  return dims;
}

/** One past the largest id tokenizer.json can produce: its model's vocabulary and its added tokens. */
export function tokenizerIdCount(tokenizer: unknown, file: string): number {
  const model = (tokenizer as { model?: { vocab?: unknown } } | null)?.model;
  const vocab = model?.vocab;
  let count: number;
  if (Array.isArray(vocab)) count = vocab.length; // Unigram: [piece, score] by id
  else if (typeof vocab === 'object' && vocab !== null) count = Math.max(-1, ...Object.values(vocab).map(Number)) + 1; // WordPiece, BPE
  else throw modelLoadError(file, 'has no model.vocab (not a Hugging Face tokenizer file)');
  const added = (tokenizer as { added_tokens?: { id?: unknown }[] }).added_tokens ?? [];
  for (const token of added) if (typeof token.id === 'number') count = Math.max(count, token.id + 1);
  return count;
}

/** Checkpoint names to try for a generator name: as is, without the encoder prefix, and TF-era gamma / beta. */
function candidateNames(name: string, arch: Arch): string[] {
  const prefix = `${ARCH_CONSTANTS[arch].prefix}.`;
  const names = [name];
  if (name.startsWith(prefix)) names.push(name.slice(prefix.length));
  const legacy = names.map((n) => n.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
  return [...new Set([...names, ...legacy])];
}

export class HfWeights implements ModelWeights {
  readonly specs: WeightSpec[];
  readonly seed: number | undefined;
  /** Checkpoint tensors no weight of the graph reads (e.g. `position_ids` buffers, a pooler XLM-R does not use). */
  readonly unused: string[];
  private readonly bySpec: ReadonlyMap<string, { spec: WeightSpec; location: TensorLocation }>;

  private constructor(
    readonly folder: string,
    readonly dims: ResolvedDims,
    readonly config: Config,
    private readonly checkpoint: SafetensorsCheckpoint,
    private readonly onTensor: TensorListener,
  ) {
    const generatedBy = config.generated_by as { generator?: unknown; seed?: unknown } | undefined;
    this.seed = generatedBy?.generator === GENERATOR_NAME && typeof generatedBy.seed === 'number' ? generatedBy.seed : undefined;
    this.specs = weightSpecs(dims);
    const where = checkpoint.files.length === 1 ? checkpoint.files[0] : `${path.join(folder, SHARD_INDEX)} ` +
      `(${checkpoint.files.length} shards)`;
    const bySpec = new Map<string, { spec: WeightSpec; location: TensorLocation }>();
    for (const spec of this.specs) {
      const candidates = candidateNames(spec.name, dims.arch);
      const location = candidates.map((n) => checkpoint.tensor(n)).find((t) => t !== undefined);
      if (!location) {
        throw new ModelLoadError(`${where}: no tensor ${candidates.join(' or ')} (a ${dims.layers}-layer ` +
          `${ARCH_CONSTANTS[dims.arch].className} with ${dims.labels} label${dims.labels > 1 ? 's' : ''}, as config.json says)`);
      }
      if (FLOAT_DTYPES[location.dtype] === undefined) {
        throw new ModelLoadError(`${location.file}: tensor ${location.name} is ${location.dtype}; only F32, F16 and BF16 ` +
          'weights can be exported');
      }
      if (location.shape.join() !== spec.shape.join()) {
        throw new ModelLoadError(`${location.file}: tensor ${location.name} has shape [${location.shape.join(', ')}], ` +
          `expected [${spec.shape.join(', ')}] from config.json`);
      }
      bySpec.set(spec.name, { spec, location });
    }
    this.bySpec = bySpec;
    const used = new Set([...bySpec.values()].map((w) => w.location.name));
    this.unused = checkpoint.names.filter((n) => !used.has(n));
  }

  /**
   * Reads config.json, the checkpoint's headers and tokenizer.json, and checks them; no weight is read yet.
   * @param onTensor hears of each tensor as the graph reads it.
   */
  static open(folder: string, onTensor: TensorListener = () => {}): HfWeights {
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
      throw new ModelLoadError(`${folder}: no such folder`, { missingFile: folder });
    }
    const configFile = path.join(folder, 'config.json');
    const config = readJsonFile(configFile) as Config;
    const dims = dimsFromConfig(config, configFile);
    const weights = new HfWeights(folder, dims, config, SafetensorsCheckpoint.open(folder), onTensor);
    const tokenizerFile = path.join(folder, 'tokenizer.json');
    const ids = tokenizerIdCount(readJsonFile(tokenizerFile), tokenizerFile);
    if (ids > dims.vocab) {
      throw new ModelLoadError(`${tokenizerFile}: ids up to ${ids - 1}, but the word-embedding table ` +
        `(${weights.location(`${ARCH_CONSTANTS[dims.arch].prefix}.embeddings.word_embeddings.weight`).name}) has ` +
        `${dims.vocab} rows: the tokenizer does not belong to these weights`);
    }
    return weights;
  }

  /** The safetensors files the weights come from. */
  get checkpointFiles(): readonly string[] {
    return this.checkpoint.files;
  }

  /** Where the checkpoint holds the generator's weight `name`. */
  location(name: string): TensorLocation {
    return this.entry(name).location;
  }

  spec(name: string): WeightSpec {
    return this.entry(name).spec;
  }

  get(name: string): Float32Array {
    const { location } = this.entry(name);
    this.onTensor(name, location);
    return this.checkpoint.readFloat32(location.name);
  }

  rows(name: string, first: number, count: number): Float32Array {
    const { location, spec } = this.entry(name);
    const cols = spec.shape[1];
    if (first === 0) this.onTensor(name, location); // progress: once per table
    return this.checkpoint.readFloat32(location.name, first * cols, count * cols);
  }

  parameterCount(): number {
    return this.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }

  private entry(name: string) {
    const entry = this.bySpec.get(name);
    if (!entry) throw new Error(`no weight named ${name}`);
    return entry;
  }
}
