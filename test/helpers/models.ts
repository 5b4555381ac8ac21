/** Shared fixtures for Node tests: the committed demo model, its tokenizer, and a bare onnxruntime-web session. */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { DEMO_MODEL } from '../../scripts/model/demo.ts';
import { floatTensorToNumbers } from '../../src/lib/runtime/float16.ts';

export const DEMO_MODEL_DIR = path.resolve(DEMO_MODEL.out);

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** Loads a tokenizer from a model folder on disk, never the network. */
export async function loadTokenizer(dir: string): Promise<PreTrainedTokenizer> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${path.dirname(path.resolve(dir))}/`;
  return AutoTokenizer.from_pretrained(path.basename(dir));
}

export async function createSession(file: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(fs.readFileSync(file), { executionProviders: ['wasm'] });
}

/** Right-pads rows with `<pad>` (1) and runs one batch; returns one logit per row. */
export async function runLogits(session: ort.InferenceSession, rows: number[][]): Promise<number[]> {
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * width).fill(1n);
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => row.forEach((id, c) => {
    ids[r * width + c] = BigInt(id);
    mask[r * width + c] = 1n;
  }));
  const out = await session.run({
    input_ids: new ort.Tensor('int64', ids, [rows.length, width]),
    attention_mask: new ort.Tensor('int64', mask, [rows.length, width]),
  });
  return floatTensorToNumbers(out.logits.type, out.logits.data);
}

export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** Indices sorted by score, highest first. */
export function rankOrder(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((x, y) => scores[y] - scores[x] || x - y);
}

export const DEMO_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx',
  'onnx/model_fp16.onnx', 'onnx/model_quantized.onnx', 'onnx/model_int8.onnx', 'onnx/model_uint8.onnx',
  'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx'] as const;

/** The demo model as the `{ files }` source a folder picker gives; `replace` swaps or drops (null) files. */
export function demoFiles(replace: Record<string, Uint8Array | string | null> = {}): Record<string, Blob> {
  const files: Record<string, Blob> = {};
  for (const f of DEMO_FILES) files[f] = new Blob([fs.readFileSync(path.join(DEMO_MODEL_DIR, f))]);
  for (const [f, content] of Object.entries(replace)) {
    if (content === null) delete files[f];
    else files[f] = new Blob([content as BlobPart]);
  }
  return files;
}
