/**
 * Exports a Hugging Face cross-encoder folder (config.json, tokenizer files, safetensors weights) to the layout the
 * generator writes and transformers.js loads: config.json, the tokenizer files copied, and `onnx/model*.onnx` per
 * dtype, each the generator's own graph (write-model.ts) with the checkpoint's weights. The files are written one at a
 * time and the weights read one tensor at a time, so memory stays near twice the largest file written.
 *
 * @example
 * const report = exportModel({ from: 'bge-reranker-v2-m3', out: 'site/models/bge', dtypes: ['q8', 'q4f16'] });
 * report.files; // [{ path: 'config.json', bytes: 1021 }, …, { path: 'onnx/model_quantized.onnx', bytes: 571… }, …]
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelLoadError } from '../../src/lib/errors.ts';
import type { GraphOptions } from './graph.ts';
import { ONNX_FILE, type GeneratedDtype } from './presets.ts';
import { HfWeights, type TensorListener } from './hf-weights.ts';
import { embeddingQuantizationConfig } from './embedding-q4.ts';
import { externalDataFiles, writeOnnxFiles, type MakeModelReport } from './write-model.ts';

/** Copied when present; the first two are what the core and transformers.js read, so they must be there. */
const REQUIRED_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json'];
const OPTIONAL_TOKENIZER_FILES = ['special_tokens_map.json', 'sentencepiece.bpe.model', 'vocab.txt', 'added_tokens.json'];

export type ExportProgress =
  | { status: 'opened'; weights: HfWeights }
  | { status: 'file-start'; dtype: GeneratedDtype; path: string }
  | { status: 'tensor'; dtype: GeneratedDtype; name: string; index: number; total: number; dtypeOfTensor: string }
  | { status: 'file-done'; path: string; bytes: number; seconds: number };

export interface ExportOptions {
  /** The Hugging Face model folder. */
  from: string;
  /** Where to write; created if missing; must not be `from`. */
  out: string;
  dtypes: GeneratedDtype[];
  /** Passed to the generator's writer as is: e.g. `{ embeddings: 'q4' }` for 4-bit embedding tables in q4 / q4f16. */
  graphOptions?: GraphOptions;
  onProgress?: (event: ExportProgress) => void;
}

export interface ExportReport {
  weights: HfWeights;
  files: MakeModelReport['files'];
}

/**
 * The input's config.json with `transformers.js_config.use_external_data_format` saying which files have
 * `<file>_data` beside them (as the generator and onnx-community write it), and `extras` (how the embeddings are
 * stored) in place of the input's own: nothing is said of files not written.
 */
export function exportedConfig(config: Record<string, unknown>, externalFiles: string[],
  extras: Record<string, unknown> = {}): Record<string, unknown> {
  const jsConfig = { ...(config['transformers.js_config'] as Record<string, unknown> | undefined) };
  delete jsConfig.use_external_data_format;
  if (externalFiles.length > 0) {
    jsConfig.use_external_data_format = Object.fromEntries(externalFiles.map((f) => [f, true]));
  }
  const out: Record<string, unknown> = { ...config, 'transformers.js_config': jsConfig };
  if (Object.keys(jsConfig).length === 0) delete out['transformers.js_config'];
  delete out.embedding_quantization;
  Object.assign(out, extras);
  return out;
}

export function exportModel(options: ExportOptions): ExportReport {
  const { from, out, dtypes } = options;
  const progress = options.onProgress ?? (() => {});
  if (dtypes.length === 0) throw new RangeError('no dtype to export');
  if (path.resolve(from) === path.resolve(out)) {
    throw new RangeError(`--out ${out} is the input folder: export into a new folder`);
  }
  const tensorState = { dtype: dtypes[0], index: 0 };
  const onTensor: TensorListener = (name, location) => {
    tensorState.index += 1;
    progress({ status: 'tensor', dtype: tensorState.dtype, name, index: tensorState.index, total: weights.specs.length,
      dtypeOfTensor: location.dtype });
  };
  const weights = HfWeights.open(from, onTensor);
  for (const file of REQUIRED_TOKENIZER_FILES) {
    const source = path.join(from, file);
    if (!fs.existsSync(source)) throw new ModelLoadError(`${source}: no such file`, { missingFile: source });
  }
  progress({ status: 'opened', weights });

  const files: MakeModelReport['files'] = [];
  const write = (rel: string, data: string | Uint8Array) => {
    const file = path.join(out, rel);
    fs.writeFileSync(file, data);
    files.push({ path: rel, bytes: fs.statSync(file).size });
  };
  fs.mkdirSync(out, { recursive: true });
  const graphOptions = options.graphOptions ?? {};
  const config = exportedConfig(weights.config, externalDataFiles(weights, dtypes, graphOptions),
    embeddingQuantizationConfig(dtypes, graphOptions));
  write('config.json', `${JSON.stringify(config, null, 2)}\n`);
  for (const file of [...REQUIRED_TOKENIZER_FILES, ...OPTIONAL_TOKENIZER_FILES]) {
    if (fs.existsSync(path.join(from, file))) write(file, fs.readFileSync(path.join(from, file)));
  }

  for (const dtype of dtypes) {
    tensorState.dtype = dtype;
    tensorState.index = 0;
    progress({ status: 'file-start', dtype, path: ONNX_FILE[dtype] });
    const started = performance.now();
    // A graph and its external data are written together: both took the dtype's time.
    files.push(...writeOnnxFiles(weights, [dtype], out, graphOptions, (file) => {
      progress({ status: 'file-done', path: file.path, bytes: file.bytes, seconds: (performance.now() - started) / 1000 });
    }));
  }
  return { weights, files };
}
