/**
 * What the app shows of a download that resumed and of stored models (issue 21): the model controller keeps a file's
 * resume through its later progress events and into `done` with the bytes' check, and the words say what happened.
 */
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { ModelController } from '../../src/ui/model/model-controller.ts';
import type { AppReranker } from '../../src/ui/app/reranker-source.ts';
import type { LoadProgress, RerankerOptions } from '../../src/lib/types.ts';
import { describeModelStorage, describePersistence, describeResume, describeVerified } from '../../src/ui/model/storage-words.ts';

const ONNX = 'onnx/model_quantized.onnx';
const host = (): ReactiveControllerHost => ({
  addController: () => {},
  removeController: () => {},
  requestUpdate: () => {},
  updateComplete: Promise.resolve(true),
});

/** A controller whose load reports `events` and then never finishes. */
function controllerAfter(events: LoadProgress[]): ModelController {
  const controller = new ModelController(host(), () => {}, (options: RerankerOptions): Promise<AppReranker> => {
    for (const event of events) options.progress?.(event);
    return new Promise(() => {});
  });
  controller.run({ model: 'someone/model' });
  return controller;
}

describe('a resumed download in the load progress', () => {
  const overall = (loaded: number) => ({ loaded, total: 1_000 });
  const resumed = { from: 600, cause: 'stored', ranged: true } as const;

  it('keeps the resume through later progress events and into done, with what the bytes were checked against', () => {
    const mid = controllerAfter([
      { status: 'progress', file: ONNX, loaded: 600, total: 1_000, overall: overall(600), resumed },
      { status: 'progress', file: ONNX, loaded: 800, total: 1_000, overall: overall(800) },
    ]);
    expect(mid.files.get(ONNX)).toMatchObject({ loaded: 800, done: false, resumed });
    const done = controllerAfter([
      { status: 'progress', file: ONNX, loaded: 600, total: 1_000, overall: overall(600), resumed },
      { status: 'done', file: ONNX, bytes: 1_000, fromCache: false, overall: overall(1_000), verified: 'sha256' },
    ]);
    expect(done.files.get(ONNX)).toMatchObject({ loaded: 1_000, done: true, resumed, verified: 'sha256' });
  });

  it('a download that never resumed says nothing of it', () => {
    const plain = controllerAfter([
      { status: 'progress', file: ONNX, loaded: 10, total: 1_000, overall: overall(10) },
      { status: 'done', file: ONNX, bytes: 1_000, fromCache: true, overall: overall(1_000) },
    ]);
    expect(plain.files.get(ONNX)).not.toHaveProperty('resumed');
    expect(plain.files.get(ONNX)).not.toHaveProperty('verified');
  });
});

describe('the words', () => {
  it('say where a download resumed and why, and when the server made it start over', () => {
    expect(describeResume({ from: 196_608, cause: 'stored', ranged: true })).toBe('resumed at 196.6 KB: stored by an earlier visit');
    expect(describeResume({ from: 2_500_000, cause: 'retry', ranged: true })).toBe('resumed at 2.5 MB: the connection dropped');
    expect(describeResume({ from: 196_608, cause: 'retry', ranged: false }))
      .toBe('connection lost at 196.6 KB; the server cannot resume, so the file came again from the start');
  });

  it('name the check, the browser\'s hold and a model that was not kept', () => {
    expect(describeVerified('sha256')).toBe('SHA-256 checked');
    expect(describeVerified('size')).toBe('size checked');
    expect(describeVerified('none')).toBe('');
    expect(describePersistence(true)).toMatch(/not evicted/);
    expect(describePersistence(false)).toMatch(/may evict/);
    expect(describePersistence(null)).toMatch(/does not say/);
    expect(describeModelStorage({ kept: true, bytes: 412_041, persisted: false })).toBe('Kept in the browser cache (412.0 KB).');
    expect(describeModelStorage({ kept: false, bytes: 0, persisted: null, reason: 'QuotaExceededError' }))
      .toBe('Not kept in the browser cache (QuotaExceededError): it runs from memory, and the next load downloads it again.');
  });
});
