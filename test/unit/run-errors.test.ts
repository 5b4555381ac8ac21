/**
 * The error classifier on the messages onnxruntime-web, V8's wasm and Dawn actually give, including the two that both
 * say "out of bounds" (a Gather index past its table, a wasm trap) and must not be taken for each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceLostError, ModelLoadError, OutOfMemoryError, RerankerError } from '../../src/lib/errors.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import { errorKind, gatherOutOfRange, namedError, type ErrorKind } from '../../src/lib/runtime/run-errors.ts';
import { ModelSession } from '../../src/lib/runtime/session.ts';
import { DEMO_MODEL_DIR, demoFiles } from '../helpers/models.ts';

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** onnxruntime-web 1.2x (Node build, wasm) on the demo model fed id 4999, as this test's last case reproduces. */
const GATHER = "failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Non-zero status code returned while running Gather " +
  "node. Name:'/roberta/embeddings/word_embeddings/Gather' Status Message: indices element out of data bounds, " +
  'idx=4999 must be within the inclusive range [-2005,2004]';

const RUN_CASES: [string, Error, ErrorKind][] = [
  ['Gather index past the table', new Error(GATHER), 'index-out-of-range'],
  ['wasm trap (V8)', named('RuntimeError', 'memory access out of bounds'), 'out-of-memory'],
  ['wasm trap rethrown as Error', new Error('memory access out of bounds'), 'out-of-memory'],
  ['ArrayBuffer allocation', new RangeError('Array buffer allocation failed'), 'out-of-memory'],
  ['wasm memory growth', new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'), 'out-of-memory'],
  ['stack overflow is not memory', new RangeError('Maximum call stack size exceeded'), 'unknown'],
  ['std::bad_alloc', new Error("failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc"), 'out-of-memory'],
  ['emscripten abort', named('RuntimeError', 'Aborted(OOM). Build with -sASSERTIONS for more info.'), 'out-of-memory'],
  ['WebGPU device error', new Error('[E:onnxruntime:Default, webgpu_context.cc:120 operator()] WebGPU device error(2): Out of memory'), 'out-of-memory'],
  ['Dawn buffer limit', new Error('Buffer size (4294967296) exceeds the max buffer size limit (2147483648).'), 'out-of-memory'],
  ['device lost', new Error('GPU device was lost: the device was destroyed'), 'device-lost'],
  ['anything else', new Error('Failed to download data from buffer'), 'unknown'],
  ['a word with "oom" inside', new Error('boom'), 'unknown'],
];

describe('errorKind', () => {
  for (const [what, error, kind] of RUN_CASES) {
    it(`${what} → ${kind}`, () => {
      expect(errorKind(error, 'run')).toBe(kind);
    });
  }

  it('the overlap: a wasm trap "out of bounds" is memory, a Gather "out of data bounds" is an index', () => {
    const trap = named('RuntimeError', 'memory access out of bounds');
    expect(errorKind(trap, 'run')).toBe('out-of-memory');
    expect(gatherOutOfRange(trap)).toBeNull();
    expect(errorKind(new Error(GATHER), 'run')).toBe('index-out-of-range');
    expect(gatherOutOfRange(new Error(GATHER))).toEqual({ index: 4999, size: 2005 });
  });

  it('an unreadable model is told apart only when creating a session', () => {
    const error = new Error("Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed.");
    expect(errorKind(error, 'create')).toBe('unreadable-model');
    expect(errorKind(error, 'run')).toBe('unknown');
  });
});

describe('namedError', () => {
  it('gives the named class, with the device and the original as cause', () => {
    const trap = named('RuntimeError', 'memory access out of bounds');
    const oom = namedError(trap, 'wasm', 'run');
    expect(oom).toBeInstanceOf(OutOfMemoryError);
    expect(oom.message).toBe('wasm ran out of memory: memory access out of bounds');
    expect(oom.cause).toBe(trap);
    expect(namedError(new Error('device lost'), 'webgpu', 'run')).toBeInstanceOf(DeviceLostError);
    expect(namedError(new Error('protobuf parsing failed'), 'wasm', 'create')).toBeInstanceOf(ModelLoadError);
    const other = namedError(new Error(GATHER), 'wasm', 'run');
    expect(other.constructor).toBe(RerankerError);
    expect(other.message).toMatch(/^inference failed on wasm: .*indices element out of data bounds/);
    expect(gatherOutOfRange(other)).toEqual({ index: 4999, size: 2005 }); // read through the cause
  });

  it('passes named errors through and names non-Error throws', () => {
    const already = new DeviceLostError('gone');
    expect(namedError(already, 'webgpu', 'run')).toBe(already);
    expect(namedError('out of memory', 'wasm', 'run')).toBeInstanceOf(OutOfMemoryError);
  });

  it("onnxruntime-web's real Gather message, from a run past the demo model's vocabulary", async () => {
    const session = await ModelSession.create(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'onnx/model.onnx')), 'wasm');
    try {
      const failure = await session.run([{ ids: [0, 4999, 2] }], 1).then(() => null, (error: unknown) => error);
      expect(failure).toBeInstanceOf(RerankerError);
      expect(failure).not.toBeInstanceOf(OutOfMemoryError);
      expect(gatherOutOfRange(failure)).toEqual({ index: 4999, size: 2005 });
    } finally {
      await session.dispose();
    }
  }, 60_000);
});

describe('the warm-up run of a load (issue 19: a memory trap read as a vocabulary mismatch)', () => {
  /** The load's warm-up (run 0) fails with `message`, as onnxruntime would. */
  const loadFailingWarmUp = (message: string, name = 'Error') => createReranker(
    { model: { files: demoFiles() }, device: 'wasm', dtype: 'fp32' },
    { hooks: { beforeRun: ({ runIndex }) => { if (runIndex === 0) throw named(name, message); } } },
  ).then(() => null, (error: unknown) => error as Error);

  it("a Gather past the table on the tokenizer's largest id is a vocabulary mismatch", async () => {
    // The demo tokenizer's largest id is 2004.
    const error = await loadFailingWarmUp('indices element out of data bounds, idx=2004 must be within the inclusive range [-2000,1999]');
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error!.message).toMatch(/token 2004 is outside the model's vocabulary \(2000 tokens\)/);
  }, 60_000);

  it('a wasm trap "memory access out of bounds" stays an out-of-memory error', async () => {
    const error = await loadFailingWarmUp('memory access out of bounds', 'RuntimeError');
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error).not.toBeInstanceOf(ModelLoadError);
    expect(error!.message).toBe('wasm ran out of memory: memory access out of bounds');
  }, 60_000);

  it('a Gather past a table on another index (token types, positions) is not called a vocabulary mismatch', async () => {
    const error = await loadFailingWarmUp('indices element out of data bounds, idx=1 must be within the inclusive range [-1,0]');
    expect(error).not.toBeInstanceOf(ModelLoadError);
    expect(error!.name).toBe('RerankerError');
  }, 60_000);
});
