// The exporter reads embedding tables a few thousand rows at a time (scripts/model/table-rows.ts); each quantiser
// must give the bytes it gives the whole table.
import { describe, expect, it } from 'vitest';
import { forEachRowBlock, ROWS_PER_READ, tableInMemory, type TableSource } from '../../scripts/model/table-rows.ts';
import { quantizeAsymmetricUint8, quantizeLikeOrt } from '../../scripts/model/quantize.ts';

const rows = ROWS_PER_READ * 2 + 3;
const cols = 8;
const table = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.013) * (1 + (i % 5)) - 0.4);

/** The table as a checkpoint gives it: copies of the rows asked for, with a log of the reads. */
function readInParts(): { source: TableSource; reads: [number, number][] } {
  const reads: [number, number][] = [];
  const source = { rows, cols, read: (first: number, count: number) => {
    reads.push([first, count]);
    return table.slice(first * cols, (first + count) * cols);
  } };
  return { source, reads };
}

describe('tables read in row blocks', () => {
  it('visits every row once, in order, never more than ROWS_PER_READ rows at a time', () => {
    const { source, reads } = readInParts();
    const starts: number[] = [];
    forEachRowBlock(source, (values, at) => {
      starts.push(at);
      expect(values).toEqual(table.subarray(at, at + values.length));
    });
    expect(reads).toEqual([[0, ROWS_PER_READ], [ROWS_PER_READ, ROWS_PER_READ], [2 * ROWS_PER_READ, 3]]);
    expect(starts).toEqual([0, ROWS_PER_READ * cols, 2 * ROWS_PER_READ * cols]);
  });

  it('q8 word tables (quantize_dynamic and ours) have the same bytes, scale and zero point read in parts', () => {
    const whole = quantizeAsymmetricUint8(tableInMemory(table, rows, cols));
    const parts = quantizeAsymmetricUint8(readInParts().source);
    expect(parts.scale).toBe(whole.scale);
    expect(parts.zeroPoint).toBe(whole.zeroPoint);
    expect(Buffer.from(parts.data).equals(Buffer.from(whole.data))).toBe(true);
    const ortWhole = quantizeLikeOrt(table, 'uint8');
    const ortParts = quantizeLikeOrt(readInParts().source, 'uint8');
    expect([ortParts.scale, ortParts.zeroPoint]).toEqual([ortWhole.scale, ortWhole.zeroPoint]);
    expect(Buffer.from(ortParts.data).equals(Buffer.from(ortWhole.data))).toBe(true);
    expect(new Set(ortWhole.data).size).toBeGreaterThan(200); // the range is used, so equal bytes say something
  });

  it('refuses a table whose size does not match its shape', () => {
    expect(() => tableInMemory(new Float32Array(10), 3, 4)).toThrow('a 3×4 table has 12 values, not 10');
  });
});
