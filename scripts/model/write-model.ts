/**
 * Writes a generated model folder in the layout of the published onnx-community export, so the same loading code
 * reads either: config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, onnx/model*.onnx, and
 * model.safetensors with Hugging Face's weight names (for the independent reference and for PyTorch). XLM-R models
 * follow onnx-community/bge-reranker-v2-m3-ONNX, BERT models Xenova/ms-marco-MiniLM-L-6-v2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeModel, encodeModelParts, type ModelMsg, type ValueInfoMsg } from './onnx-proto.ts';
import { buildXlmrGraph, inlineSink, IR_VERSION, isHalfPrecision, OPSET, type GraphOptions, type InitializerSink } from './graph.ts';
import { buildBertGraph } from './bert-graph.ts';
import { ARCH_CONSTANTS, LABEL_COUNTS, ONNX_FILE, presetDims, Q4_BLOCK_SIZE, type Arch, type GeneratedDtype,
  type LabelCount, type PresetName } from './presets.ts';
import { WeightSource, type ModelWeights, type ResolvedDims } from './weights.ts';
import { buildTokenizer } from './tokenizer.ts';
import { buildWordPieceTokenizer } from './wordpiece.ts';
import { writeSafetensors } from './safetensors.ts';
import { GENERATOR_VERSION, hfConfig } from './hf-config.ts';
import { embeddingQuantizationConfig, EMBEDDING_BLOCK_SIZE, isCompactTable, type CompactEmbeddingOptions } from './embedding-q4.ts';

export { GENERATOR_VERSION, hfConfig } from './hf-config.ts';
/** protobuf cannot hold a message of 2 GiB or more: past this, initializers go to `model.onnx_data`. */
const EXTERNAL_DATA_THRESHOLD = 2 ** 31 - 2 ** 26;

export interface MakeModelOptions {
  preset: PresetName;
  dtypes: GeneratedDtype[];
  seed: number;
  out: string;
  /** Also write model.safetensors (fp32, Hugging Face names). */
  safetensors: boolean;
  /** `xlmr` (default): XLMRobertaForSequenceClassification; `bert`: BertForSequenceClassification. */
  arch?: Arch;
  /** The classifier's outputs: 1 (default, a relevance logit) or 2 (`LABEL_0`, `LABEL_1`). */
  labels?: LabelCount;
  /**
   * fp16 / q4f16: leave the logits float16, as this generator's first fp16 files had them (for tests of a model
   * whose output is float16). Default false: float32 logits, as the published export has them.
   */
  float16Logits?: boolean;
  /**
   * q4 / q4f16: `q4` stores the word and position tables in 4-bit blocks (embedding-q4.ts) and says so in config.json's
   * `embedding_quantization`; default `float`, as the published export has them.
   */
  embeddings?: CompactEmbeddingOptions['embeddings'];
  /** How a compact table is looked up (default `unpack`: standard ops, every execution provider). */
  embeddingLookup?: CompactEmbeddingOptions['embeddingLookup'];
}

export interface MakeModelReport {
  dims: ResolvedDims;
  parameters: number;
  files: { path: string; bytes: number }[];
}

function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const io = (name: string, elemType: number, dims: (string | number)[]): ValueInfoMsg => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((x) => (typeof x === 'number' ? { dimValue: x } : { dimParam: x })) },
    },
  },
});

/** Appends initializers to `model.onnx_data`, 4 KiB aligned so that runtimes may map them directly. */
class ExternalDataSink implements InitializerSink {
  private offset = 0;
  private readonly fd: number;

  constructor(
    readonly filePath: string,
    private readonly location: string,
  ) {
    this.fd = fs.openSync(filePath, 'w');
  }

  place(_name: string, bytes: Uint8Array) {
    if (bytes.byteLength < 1024) return undefined;
    const start = Math.ceil(this.offset / 4096) * 4096;
    if (start > this.offset) fs.writeSync(this.fd, new Uint8Array(start - this.offset));
    fs.writeSync(this.fd, bytes);
    this.offset = start + bytes.byteLength;
    return [
      { key: 'location', value: this.location },
      { key: 'offset', value: String(start) },
      { key: 'length', value: String(bytes.byteLength) },
    ];
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

export function onnxModelBytes(weights: ModelWeights, dtype: GeneratedDtype, sink: InitializerSink = inlineSink,
  options: GraphOptions = {}): Uint8Array {
  return encodeModel(onnxModel(weights, dtype, sink, options));
}

/** `onnxModelBytes` written to `file` part by part: the weights are not copied into one encoded buffer first. */
export function writeOnnxModel(file: string, weights: ModelWeights, dtype: GeneratedDtype, sink: InitializerSink,
  options: GraphOptions): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const part of encodeModelParts(onnxModel(weights, dtype, sink, options))) {
      for (let at = 0; at < part.byteLength;) at += fs.writeSync(fd, part, at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function onnxModel(weights: ModelWeights, dtype: GeneratedDtype, sink: InitializerSink, options: GraphOptions): ModelMsg {
  const { arch, labels } = weights.dims;
  const graph = (arch === 'bert' ? buildBertGraph : buildXlmrGraph)(weights, dtype, sink, options);
  const model: ModelMsg = {
    irVersion: IR_VERSION,
    producerName: 'bge-reranker-web make-model',
    producerVersion: GENERATOR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }, ...graph.extraOpsets],
    metadataProps: [
      { key: 'architecture', value: ARCH_CONSTANTS[arch].className },
      ...(weights.seed === undefined ? [] : [{ key: 'seed', value: String(weights.seed) }]),
      { key: 'dtype', value: dtype },
    ],
    graph: {
      name: 'main_graph',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [
        io('input_ids', 7, ['batch_size', 'sequence_length']),
        io('attention_mask', 7, ['batch_size', 'sequence_length']),
        ...(arch === 'bert' ? [io('token_type_ids', 7, ['batch_size', 'sequence_length'])] : []),
      ],
      output: [io('logits', graph.logitsType, ['batch_size', labels])],
    },
  };
  return model;
}

/**
 * The bytes of a dtype's initializers, from the weight shapes alone (nothing is generated): decides whether a file
 * needs external data before any weight is drawn. Scalars and shape constants are left out (a few hundred bytes).
 */
export function initializerBytes(weights: ModelWeights, dtype: GeneratedDtype, options: CompactEmbeddingOptions = {}): number {
  const float = isHalfPrecision(dtype) ? 2 : 4;
  let bytes = 0;
  for (const spec of weights.specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const isTable = spec.name.startsWith(`${ARCH_CONSTANTS[weights.dims.arch].prefix}.embeddings.`) && spec.shape.length === 2;
    const isLinear = !isTable && spec.shape.length === 2;
    if (isTable && isCompactTable(spec.name, dtype, options)) {
      bytes += size / 2 + (size / EMBEDDING_BLOCK_SIZE) * float;
    } else if (isLinear && (dtype === 'q4' || dtype === 'q4f16')) {
      const [out, inp] = spec.shape;
      const blocks = Math.ceil(inp / Q4_BLOCK_SIZE);
      bytes += out * blocks * (Q4_BLOCK_SIZE / 2 + float);
    } else if (isLinear && (dtype === 'q8' || dtype === 'int8' || dtype === 'uint8')) {
      bytes += size;
    } else if (isTable && (dtype === 'int8' || dtype === 'uint8' || (dtype === 'q8' && spec.name.includes('word')))) {
      bytes += size;
    } else {
      bytes += size * float;
    }
  }
  return bytes;
}

const needsExternalData = (weights: ModelWeights, dtype: GeneratedDtype, options: CompactEmbeddingOptions = {}) =>
  initializerBytes(weights, dtype, options) > EXTERNAL_DATA_THRESHOLD;

/** The graph files (`model.onnx`, ...) among `dtypes` whose weights go to `<file>_data`: config.json lists them. */
export function externalDataFiles(weights: ModelWeights, dtypes: GeneratedDtype[], options: CompactEmbeddingOptions = {}): string[] {
  return dtypes.filter((d) => needsExternalData(weights, d, options)).map((d) => path.basename(ONNX_FILE[d]));
}

/**
 * Writes `onnx/model*.onnx` for each dtype under `out` (weights past protobuf's limit to `<file>_data`), one file at a
 * time; `onFile` hears of each as it is done. Returns the files written, relative to `out`.
 */
export function writeOnnxFiles(weights: ModelWeights, dtypes: GeneratedDtype[], out: string,
  graphOptions: GraphOptions = {}, onFile: (file: { path: string; bytes: number }) => void = () => {}):
  MakeModelReport['files'] {
  const files: MakeModelReport['files'] = [];
  const done = (rel: string) => {
    const file = { path: rel, bytes: fs.statSync(path.join(out, rel)).size };
    files.push(file);
    onFile(file);
  };
  for (const dtype of dtypes) {
    const rel = ONNX_FILE[dtype];
    const file = path.join(out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (needsExternalData(weights, dtype, graphOptions)) {
      const dataRel = `${rel}_data`;
      const sink = new ExternalDataSink(path.join(out, dataRel), path.basename(dataRel));
      try {
        writeOnnxModel(file, weights, dtype, sink, graphOptions);
      } finally {
        sink.close();
      }
      done(rel);
      done(dataRel);
    } else {
      writeOnnxModel(file, weights, dtype, inlineSink, graphOptions);
      done(rel);
    }
  }
  return files;
}

export function resolveDims(preset: PresetName, tokenizerVocab: number, arch: Arch = 'xlmr',
  labels: LabelCount = 1): ResolvedDims {
  const dims = presetDims(preset, arch);
  return { ...dims, vocab: dims.vocab ?? tokenizerVocab, arch, labels };
}

export function makeModel(options: MakeModelOptions): MakeModelReport {
  const arch = options.arch ?? 'xlmr';
  const labels = options.labels ?? 1;
  if (!LABEL_COUNTS.includes(labels)) throw new RangeError(`labels must be one of ${LABEL_COUNTS.join(', ')}: ${labels}`);
  const dims = presetDims(options.preset, arch);
  // XLM-R reserves 2 positions (RoBERTa's offset past padding_idx); BERT uses all of them.
  const tokenizer = arch === 'bert'
    ? buildWordPieceTokenizer({ vocabSize: dims.vocab, modelMaxLength: dims.maxPositions })
    : buildTokenizer({ vocabSize: dims.vocab, modelMaxLength: dims.maxPositions - 2 });
  const resolved = resolveDims(options.preset, tokenizer.vocabSize, arch, labels);
  const weights = new WeightSource(resolved, options.seed);
  const files: MakeModelReport['files'] = [];
  const write = (rel: string, data: string | Uint8Array) => {
    const file = path.join(options.out, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    files.push({ path: rel, bytes: fs.statSync(file).size });
  };

  const graphOptions: GraphOptions = { float16Logits: options.float16Logits, embeddings: options.embeddings,
    embeddingLookup: options.embeddingLookup };
  write('config.json', stableJson({
    ...hfConfig(resolved, options.preset, options.seed, externalDataFiles(weights, options.dtypes, graphOptions)),
    ...embeddingQuantizationConfig(options.dtypes, graphOptions),
  }));
  write('tokenizer.json', tokenizer.text ?? stableJson(tokenizer.tokenizer));
  write('tokenizer_config.json', stableJson(tokenizer.tokenizerConfig));
  write('special_tokens_map.json', stableJson(tokenizer.specialTokensMap));
  files.push(...writeOnnxFiles(weights, options.dtypes, options.out, graphOptions));

  if (options.safetensors) {
    const file = path.join(options.out, 'model.safetensors');
    writeSafetensors(file, weights.specs.map((s) => ({ name: s.name, shape: s.shape, data: () => weights.get(s.name) })));
    files.push({ path: 'model.safetensors', bytes: fs.statSync(file).size });
  }
  return { dims: resolved, parameters: weights.parameterCount(), files };
}
