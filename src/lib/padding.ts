/** One batch's model inputs, as plain buffers: every onnxruntime build (web, node) wraps them in its own Tensor. */
export interface PaddedBatch {
  /** `input_ids`, int64, row-major `[rows, width]`, right-padded with the pad id. */
  ids: BigInt64Array;
  /** `attention_mask`: 1 over real tokens, 0 over padding. */
  mask: BigInt64Array;
  width: number;
}

/**
 * Right-pads token rows to the longest one.
 *
 * @example
 * padRows([[0, 5, 2], [0, 2]], 1)
 * // → { ids: [0n, 5n, 2n, 0n, 2n, 1n], mask: [1n, 1n, 1n, 1n, 1n, 0n], width: 3 }
 */
export function padRows(rows: readonly (readonly number[])[], padId: number): PaddedBatch {
  const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const base = r * width;
    for (let c = 0; c < row.length; c++) {
      ids[base + c] = BigInt(row[c]);
      mask[base + c] = 1n;
    }
  }
  return { ids, mask, width };
}
