/** One row of model input: a pair's token ids, and its token types where the model's template has any (BERT). */
export interface TokenRow {
  ids: readonly number[];
  /** Absent: every token has type 0. */
  typeIds?: readonly number[];
}

/** One batch's model inputs, as plain buffers: every onnxruntime build (web, node) wraps them in its own Tensor. */
export interface PaddedBatch {
  /** `input_ids`, int64, row-major `[rows, width]`, right-padded with the pad id. */
  ids: BigInt64Array;
  /** `attention_mask`: 1 over real tokens, 0 over padding. */
  mask: BigInt64Array;
  /** `token_type_ids`: the rows' types, 0 where a row has none and over padding (fed only if the graph has it). */
  types: BigInt64Array;
  width: number;
}

/** Input name of the token types, in the graphs of BERT-family exports (XLM-R exports have none). */
export const TOKEN_TYPE_INPUT = 'token_type_ids';

/**
 * Right-pads token rows to the longest one.
 *
 * @example
 * padRows([{ ids: [0, 5, 2] }, { ids: [0, 2] }], 1)
 * // → { ids: [0n, 5n, 2n, 0n, 2n, 1n], mask: [1n, 1n, 1n, 1n, 1n, 0n], types: [0n, 0n, 0n, 0n, 0n, 0n], width: 3 }
 */
export function padRows(rows: readonly TokenRow[], padId: number): PaddedBatch {
  const width = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  const types = new BigInt64Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const { ids: row, typeIds } = rows[r];
    const base = r * width;
    for (let c = 0; c < row.length; c++) {
      ids[base + c] = BigInt(row[c]);
      mask[base + c] = 1n;
      if (typeIds) types[base + c] = BigInt(typeIds[c]);
    }
  }
  return { ids, mask, types, width };
}

/**
 * The feeds of one tensor, for whichever onnxruntime build makes `tensor`: `input_ids` and `attention_mask`, and
 * `token_type_ids` when the graph has that input (`inputNames`). The one place that decides what a model is fed.
 *
 * @example
 * modelFeeds([{ ids: [101, 7, 102] }], 0, ['input_ids', 'attention_mask', 'token_type_ids'],
 *   (data, dims) => new ort.Tensor('int64', data, dims))
 * // → { input_ids: Tensor [1, 3], attention_mask: Tensor [1, 3], token_type_ids: Tensor [1, 3] }
 */
export function modelFeeds<T>(rows: readonly TokenRow[], padId: number, inputNames: readonly string[],
  tensor: (data: BigInt64Array, dims: number[]) => T): Record<string, T> {
  const { ids, mask, types, width } = padRows(rows, padId);
  const dims = [rows.length, width];
  const feeds: Record<string, T> = { input_ids: tensor(ids, dims), attention_mask: tensor(mask, dims) };
  if (inputNames.includes(TOKEN_TYPE_INPUT)) feeds[TOKEN_TYPE_INPUT] = tensor(types, dims);
  return feeds;
}
