/**
 * A model folder on disk as Node-side scripts and tests read it: its JSON files, the core's pair encoder, and the
 * files a load of one dtype reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';
import type { Dtype } from '../../src/lib/types.ts';

export function readModelJson(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
}

/** The core's encoder for a folder's tokenizer.json, tokenizer_config.json and config.json, as a load builds it. */
export function encoderFromFolder(dir: string): PairEncoder {
  return PairEncoder.fromFiles({
    tokenizerJson: readModelJson(dir, 'tokenizer.json'),
    tokenizerConfig: readModelJson(dir, 'tokenizer_config.json'),
    modelConfig: parseModelConfig(readModelJson(dir, 'config.json')),
  });
}

/** A dtype's ONNX file and its external data files, if any, relative to the folder. */
export function onnxFilesOf(dir: string, dtype: Dtype): string[] {
  const onnx = ONNX_FILE_BY_DTYPE[dtype];
  const data = fs.readdirSync(path.join(dir, 'onnx')).filter((f) => f.startsWith(`${path.basename(onnx)}_data`));
  return [onnx, ...data.map((f) => `onnx/${f}`)];
}

/**
 * The files a load of `dtype` reads, as a folder picker hands them over: Blobs backed by the files on disk, so that
 * the full fp32 weights (2.27 GB) are read by the loader as a browser reads a picked file, past readFileSync's 2 GiB.
 */
export async function modelFiles(dir: string, dtype: Dtype): Promise<Record<string, Blob>> {
  const files: Record<string, Blob> = {};
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', ...onnxFilesOf(dir, dtype)]) {
    files[f] = await fs.openAsBlob(path.join(dir, f));
  }
  return files;
}
