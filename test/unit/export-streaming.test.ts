// What keeps the exporter's memory near one copy of its output: embedding tables read a few thousand rows at a time
// (scripts/model/table-rows.ts), each quantiser giving the bytes it gives the whole table; and ONNX files written part
// by part from the weights (encodeModelParts), byte for byte what one encoded buffer holds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, encodeModelParts } from '../../scripts/model/onnx-proto.ts';
import { onnxModelBytes, resolveDims, writeOnnxModel } from '../../scripts/model/write-model.ts';
import { WeightSource } from '../../scripts/model/weights.ts';
import { DTYPES } from '../../scripts/model/presets.ts';
import type { InitializerSink } from '../../scripts/model/graph.ts';
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

describe('ONNX files written part by part', () => {
  const weights = new WeightSource(resolveDims('tiny', 1000), 7);
  const external: InitializerSink = { place: (name) => (name.includes('word') ? [{ key: 'location', value: 'x.onnx_data' }] : undefined) };

  it('give encodeModel\'s bytes for every dtype, inline and with external data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-parts-'));
    try {
      for (const dtype of DTYPES) {
        for (const [label, sink] of [['inline', { place: () => undefined }], ['external', external]] as const) {
          const file = path.join(dir, `${dtype}-${label}.onnx`);
          writeOnnxModel(file, weights, dtype, sink, {});
          const whole = onnxModelBytes(weights, dtype, sink);
          expect(fs.readFileSync(file).equals(Buffer.from(whole)), `${dtype} ${label}`).toBe(true);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hand the weights over as they are, not copied', () => {
    const raw = Uint8Array.from({ length: 300 }, (_, i) => i % 251); // past 127 bytes: a two-byte length
    const model = decodeModel(onnxModelBytes(weights, 'fp32'));
    model.graph.initializer = [{ name: 'w', dims: [300], dataType: 2, rawData: raw }];
    const parts = encodeModelParts(model);
    expect(parts).toContain(raw);
    expect(Buffer.concat(parts).equals(Buffer.from(encodeModel(model)))).toBe(true);
  });
});
