/**
 * A model file read on demand (src/lib/files/on-demand-bytes.ts): what onnxruntime-web and the protobuf walk see of
 * it is the file, read range by range, never whole; a session built from it gives the logits of the file in memory;
 * each weight read is freed when the next is asked for, the last when the session is built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OnDemandBytes, freeNow, isOnDemand } from '../../src/lib/files/on-demand-bytes.ts';
import { splitInlineWeights } from '../../src/lib/runtime/inline-weights.ts';
import { graphVocabulary } from '../../src/lib/runtime/onnx-graph.ts';
import { fields } from '../../src/lib/runtime/protobuf-fields.ts';
import { ModelSession } from '../../src/lib/runtime/session.ts';
import { ort } from '../../src/lib/runtime/ort.ts';
import { DEMO_MODEL_DIR, demoFiles } from '../helpers/models.ts';
import { createReranker } from '../../src/lib/index.ts';

const Q8 = path.join(DEMO_MODEL_DIR, 'onnx', 'model_quantized.onnx');

/** The file as OnDemandBytes over a file descriptor, with every read it made. */
function onDemandFile(file: string) {
  const fd = fs.openSync(file, 'r');
  const reads: { start: number; end: number; bytes: Uint8Array }[] = [];
  const bytes = new OnDemandBytes(fs.fstatSync(fd).size, (start, end) => {
    const out = new Uint8Array(end - start);
    fs.readSync(fd, out, 0, out.byteLength, start);
    reads.push({ start, end, bytes: out });
    return out;
  });
  return { bytes, reads, close: () => fs.closeSync(fd) };
}

const opened: { close(): void }[] = [];
const open = (file: string) => {
  const f = onDemandFile(file);
  opened.push(f);
  return f;
};
afterEach(() => opened.splice(0).forEach((f) => f.close()));

describe('a file read on demand', () => {
  it('reads ranges as subarray and slice do, and is the file to length and byteLength', () => {
    const whole = new Uint8Array(fs.readFileSync(Q8));
    const { bytes, reads } = open(Q8);
    expect(isOnDemand(bytes)).toBe(true);
    expect(isOnDemand(whole)).toBe(false);
    expect(reads).toHaveLength(0); // nothing read until asked
    expect([bytes.length, bytes.byteLength]).toEqual([whole.length, whole.byteLength]);
    for (const [a, b] of [[0, 10], [100, 70_000], [5, undefined], [-20, undefined], [-300, -10], [50, 20], [undefined, undefined]]) {
      const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(y);
      expect(same(bytes.subarray(a, b), whole.subarray(a, b))).toBe(true);
      expect(same(bytes.slice(a, b), whole.slice(a, b))).toBe(true);
      expect(bytes.subarray(a, b).byteLength).toBe(whole.subarray(a, b).byteLength);
    }
  });

  it('walks as the file does: the same fields, split graph and vocabulary, without a read of the whole', () => {
    const whole = new Uint8Array(fs.readFileSync(Q8));
    const { bytes, reads } = open(Q8);
    const numbers = (b: Uint8Array) => [...fields(b, 0, b.length)].map((f) => [f.number, f.start, f.end]);
    expect(numbers(bytes)).toEqual(numbers(whole));
    expect(graphVocabulary(bytes)).toBe(graphVocabulary(whole));
    const split = splitInlineWeights(bytes)!;
    expect(split.graph).toEqual(splitInlineWeights(whole)!.graph);
    expect(split.weights.data).toBe(bytes);
    expect(Math.max(...reads.map((r) => r.end - r.start))).toBeLessThan(whole.byteLength / 2);
  });

  it('builds a session weight by weight with the logits of the file in memory, and frees every weight read', async () => {
    ort.env.wasm.numThreads = 1;
    const rows = [[0, 5, 17, 2, 2, 33, 2], [0, 9, 2, 2, 2]];
    const inMemory = await ModelSession.create(new Uint8Array(fs.readFileSync(Q8)), 'wasm');
    const { bytes, reads } = open(Q8);
    const onDemand = await ModelSession.create(bytes, 'wasm');
    try {
      expect(inMemory.weights).toBe('file-as-external-data');
      expect(onDemand.weights).toBe('read-on-demand');
      const run = (s: ModelSession) => s.run(rows.map((ids) => ({ ids })), 1);
      expect(await run(onDemand)).toEqual(await run(inMemory));
      const weights = reads.filter((r) => r.end - r.start > 64 * 1024);
      expect(weights.length).toBeGreaterThan(1);
      // Each weight read went once onnxruntime had it: detached, its memory freed without the collector.
      expect(weights.every((r) => r.bytes.buffer.byteLength === 0)).toBe(true);
    } finally {
      await Promise.all([inMemory.dispose(), onDemand.dispose()]);
    }
  }, 60_000);

  it('is how Node loads a model folder on disk: the scores of the same files given as Blobs', async () => {
    const pair: [string, string][] = [['capital of France?', 'Paris is the capital of France.']];
    const onDisk = await createReranker({ model: DEMO_MODEL_DIR, device: 'wasm', dtype: 'q8', numThreads: 1 });
    const inMemory = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'q8', numThreads: 1 });
    try {
      expect(onDisk.info.runtime?.weights).toBe('read-on-demand');
      expect(inMemory.info.runtime?.weights).toBe('file-as-external-data'); // Node cannot read a Blob synchronously
      expect(onDisk.info.files.find((f) => f.path === 'onnx/model_quantized.onnx')?.bytes).toBe(fs.statSync(Q8).size);
      expect(await onDisk.score(pair)).toEqual(await inMemory.score(pair));
    } finally {
      await Promise.all([onDisk.dispose(), inMemory.dispose()]);
    }
  }, 60_000);

  it('freeNow detaches a buffer at once', () => {
    const buffer = new ArrayBuffer(1024);
    freeNow(buffer);
    expect(buffer.byteLength).toBe(0);
    expect(() => freeNow(new ArrayBuffer(0))).not.toThrow();
  });
});
