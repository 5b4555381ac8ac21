/** Shared fixtures for the BERT tests: the committed tiny BERT demo model, pair rows built by hand, typed runs. */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { DEMO_BERT_MODEL } from '../../scripts/model/demo.ts';
import { floatTensorToNumbers } from '../../src/lib/runtime/float16.ts';

export const DEMO_BERT_DIR = path.resolve(DEMO_BERT_MODEL.out);

export const CLS_ID = 101;
export const SEP_ID = 102;

/** One input row: token ids and their token types. */
export interface TypedRow {
  ids: number[];
  types: number[];
}

/**
 * `[CLS] query [SEP] document [SEP]` with types 0 over `[CLS] query [SEP]` and 1 after, built from the template by
 * hand (not by the code under test); the document is cut so the pair holds at most `maxLength` tokens.
 */
export function bertPairRow(tokenizer: PreTrainedTokenizer, query: string, document: string, maxLength = 512): TypedRow {
  const q = tokenizer.encode(query, { add_special_tokens: false });
  const d = tokenizer.encode(document, { add_special_tokens: false }).slice(0, maxLength - q.length - 3);
  return {
    ids: [CLS_ID, ...q, SEP_ID, ...d, SEP_ID],
    types: [0, ...q.map(() => 0), 0, ...d.map(() => 1), 1],
  };
}

/**
 * Right-pads rows (ids with `pad`, types and mask with 0) and runs one batch; returns each row's logits. Without
 * types, the session gets no `token_type_ids` (an XLM-R file).
 */
export async function runRows(session: ort.InferenceSession, rows: { ids: number[]; types?: number[] }[], pad = 0):
  Promise<number[][]> {
  const width = Math.max(...rows.map((r) => r.ids.length));
  const shape = [rows.length, width];
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(pad));
  const mask = new BigInt64Array(rows.length * width);
  const types = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => row.ids.forEach((id, c) => {
    ids[r * width + c] = BigInt(id);
    mask[r * width + c] = 1n;
    types[r * width + c] = BigInt(row.types?.[c] ?? 0);
  }));
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, shape),
    attention_mask: new ort.Tensor('int64', mask, shape),
  };
  if (rows.some((r) => r.types)) feeds.token_type_ids = new ort.Tensor('int64', types, shape);
  const out = await session.run(feeds);
  const flat = floatTensorToNumbers(out.logits.type, out.logits.data);
  const labels = flat.length / rows.length;
  return rows.map((_, r) => flat.slice(r * labels, (r + 1) * labels));
}

/** The files of a model folder as a folder picker gives them (`{ files }`), with `replace` swapping some contents. */
export function folderFiles(dir: string, paths: readonly string[], replace: Record<string, string> = {}): Record<string, Blob> {
  const files: Record<string, Blob> = {};
  for (const f of paths) {
    const file = path.join(dir, f);
    if (f in replace) files[f] = new Blob([replace[f]]);
    else if (fs.existsSync(file)) files[f] = new Blob([fs.readFileSync(file)]);
  }
  return files;
}

/** What loads an fp32 model: its config, tokenizer and `onnx/model.onnx`. */
export const FP32_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const;

/** A query and documents for the tiny BERT model: cased, accented, CJK, punctuation, a one-word document. */
export const BERT_QUERY = 'How do giant pandas spend their day?';
export const BERT_DOCUMENTS: readonly string[] = [
  'The giant panda is a bear species endemic to China; it spends most of the day eating bamboo.',
  'Paris is the capital of France.',
  'Pandas sleep between meals, often in trees, and are most active at dawn and dusk.',
  'the',
  'UPPER case, Ünïcödé accents and 中文 characters, punctuation!!! and [brackets].',
];
