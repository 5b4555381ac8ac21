/**
 * Inline weights handed to onnxruntime as external data pointing into the file itself (src/lib/runtime/inline-weights.ts):
 * every committed demo file gives the same logits both ways, the graph left is small, the weights are the file's own
 * bytes (no copy), and what cannot or need not be split is left as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { INLINE_WEIGHTS_PATH, MIN_EXTERNAL_BYTES, splitInlineWeights } from '../../src/lib/runtime/inline-weights.ts';
import { fields } from '../../src/lib/runtime/protobuf-fields.ts';
import { floatTensorToNumbers } from '../../src/lib/runtime/float16.ts';
import { decodeModel } from '../../scripts/model/onnx-proto.ts';
import { createSession, demoFiles } from '../helpers/models.ts';
import { createReranker } from '../../src/lib/index.ts';

const MODELS = ['tiny-random-bge-reranker', 'tiny-random-bert-reranker', 'tiny-random-bge-reranker-compact', 'tiny-random-bert-reranker-compact']
  .map((name) => path.resolve('public/models', name));
const files = MODELS.flatMap((dir) => fs.readdirSync(path.join(dir, 'onnx')).filter((f) => f.endsWith('.onnx'))
  .map((f) => path.join(dir, 'onnx', f)));

/** Two rows of mixed length (padding on the second), with token types where the model takes them. */
function feeds(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const ids = BigInt64Array.from([0n, 5n, 17n, 2n, 2n, 33n, 2n, 0n, 9n, 2n, 2n, 2n, 1n, 1n]);
  const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]);
  const feed: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [2, 7]),
    attention_mask: new ort.Tensor('int64', mask, [2, 7]),
  };
  if (session.inputNames.includes('token_type_ids')) feed.token_type_ids = new ort.Tensor('int64', new BigInt64Array(14), [2, 7]);
  return feed;
}

const logits = async (session: ort.InferenceSession) => {
  const out = (await session.run(feeds(session))).logits;
  return floatTensorToNumbers(out.type, out.data);
};

describe('inline weights as external data', () => {
  it.each(files.map((f) => [path.relative('public/models', f), f]))('%s: the same logits, a small graph, the file\'s own bytes', async (_, file) => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const split = splitInlineWeights(bytes)!;
    expect(split).not.toBeNull();
    expect(split.weights).toEqual({ path: INLINE_WEIGHTS_PATH, data: bytes });
    expect(split.weights.data).toBe(bytes); // the same buffer, not a copy
    expect(split.graph.byteLength).toBeLessThan(bytes.byteLength / 3);

    // Every initializer of MIN_EXTERNAL_BYTES or more now points at its own bytes in the file.
    const before = decodeModel(bytes).graph.initializer;
    const after = new Map(decodeModel(split.graph).graph.initializer.map((t) => [t.name, t]));
    let moved = 0;
    for (const tensor of before) {
      const now = after.get(tensor.name)!;
      if ((tensor.rawData?.byteLength ?? 0) < MIN_EXTERNAL_BYTES) {
        expect(now).toEqual(tensor);
        continue;
      }
      moved += 1;
      const entry = Object.fromEntries(now.externalData!.map((e) => [e.key, e.value]));
      expect(entry.location).toBe(INLINE_WEIGHTS_PATH);
      const at = Number(entry.offset);
      expect(Buffer.from(bytes.subarray(at, at + Number(entry.length))).equals(Buffer.from(tensor.rawData!))).toBe(true);
      expect(now.dataLocation).toBe(1);
      expect(now.rawData?.byteLength ?? 0).toBe(0);
    }
    expect(moved).toBe(split.moved);

    const inline = await createSession(file);
    const external = await ort.InferenceSession.create(split.graph, { executionProviders: ['wasm'], externalData: [split.weights] });
    expect(await logits(external)).toEqual(await logits(inline));
    await Promise.all([inline.release(), external.release()]);
  }, 60_000);

  it('leaves alone what has nothing to move or is not an ONNX protobuf', () => {
    const bytes = new Uint8Array(fs.readFileSync(files[0]));
    expect(splitInlineWeights(bytes, Number.MAX_SAFE_INTEGER)).toBeNull(); // no initializer that large
    expect(splitInlineWeights(splitInlineWeights(bytes)!.graph)).toBeNull(); // already external
    expect(splitInlineWeights(new TextEncoder().encode('<!doctype html><p>not a model'))).toBeNull();
    expect(splitInlineWeights(bytes.subarray(0, 5_000))).toBeNull(); // truncated
    expect(splitInlineWeights(new Uint8Array(0))).toBeNull();
  });

  it('keeps every other field of the file byte for byte, in order', () => {
    const bytes = new Uint8Array(fs.readFileSync(files[0]));
    const split = splitInlineWeights(bytes)!;
    const numbers = (b: Uint8Array) => [...fields(b, 0, b.length)].map((f) => f.number);
    expect(numbers(split.graph)).toEqual(numbers(bytes));
    const { graph: _a, ...before } = decodeModel(bytes);
    const { graph: _b, ...after } = decodeModel(split.graph);
    expect(after).toEqual(before);
    expect(decodeModel(split.graph).graph.node).toEqual(decodeModel(bytes).graph.node);
  });

  it('is how the core loads an inline file, and info says so', async () => {
    const reranker = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'q8', numThreads: 1 });
    try {
      expect(reranker.info.runtime?.weights).toBe('file-as-external-data');
      const [score] = await reranker.score([['capital of France?', 'Paris is the capital of France.']]);
      expect(Number.isFinite(score)).toBe(true);
    } finally {
      await reranker.dispose();
    }
  }, 60_000);
});
