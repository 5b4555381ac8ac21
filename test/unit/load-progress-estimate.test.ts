/**
 * Load progress where the server sends no sizes (a compressed response without Content-Length, as vite preview
 * serves): the model controller stands in the known model's file size, marked as expected, so the overall bar fills.
 * And a download that resumed: the controller keeps where and why through later events and into `done`.
 */
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { knownFileSizes } from '../../src/ui/model/known-model-choice.ts';
import { ModelController } from '../../src/ui/model/model-controller.ts';
import type { AppReranker } from '../../src/ui/app/reranker-source.ts';
import type { LoadProgress, RerankerOptions } from '../../src/lib/types.ts';

const MINILM = 'Xenova/ms-marco-MiniLM-L-6-v2';
const ONNX = 'onnx/model_quantized.onnx';

const host = (): ReactiveControllerHost => ({
  addController: () => {},
  removeController: () => {},
  requestUpdate: () => {},
  updateComplete: Promise.resolve(true),
});

/** A load that reports these events and never finishes (the test reads the bars mid-load). */
function loadReporting(events: LoadProgress[]) {
  return (options: RerankerOptions): Promise<AppReranker> => {
    for (const event of events) options.progress?.(event);
    return new Promise(() => {});
  };
}

describe('known sizes stand in for a total the server did not send', () => {
  it('knows a known model\'s ONNX files, and nothing of other sources', () => {
    expect(knownFileSizes(MINILM)[ONNX]).toBe(23_100_000);
    expect(knownFileSizes(MINILM)['onnx/model.onnx']).toBeUndefined(); // fp32: split over two files
    expect(knownFileSizes({ url: 'https://host/m/' })).toEqual({});
    expect(knownFileSizes('someone/unknown')).toEqual({});
  });

  it('a known model\'s file gets its expected size, and the overall total their sum once every file has one', () => {
    const controller = new ModelController(host(), () => {}, loadReporting([
      { status: 'done', file: 'config.json', bytes: 800, fromCache: false, overall: { loaded: 800, total: null } },
      { status: 'progress', file: ONNX, loaded: 1_000_000, total: null, overall: { loaded: 1_000_800, total: null } },
    ]));
    controller.run({ model: MINILM });
    expect(controller.files.get(ONNX)).toMatchObject({ total: 23_100_000, estimated: true });
    expect(controller.overall).toEqual({ loaded: 1_000_800, total: 23_100_800, estimated: true });
  });

  it('the server\'s sizes win, and an unknown model with no sizes stays indeterminate', () => {
    const announced = new ModelController(host(), () => {}, loadReporting([
      { status: 'progress', file: ONNX, loaded: 10, total: 500, overall: { loaded: 10, total: 500 } },
    ]));
    announced.run({ model: MINILM });
    expect(announced.files.get(ONNX)).toMatchObject({ total: 500, estimated: false });
    expect(announced.overall).toEqual({ loaded: 10, total: 500, estimated: false });

    const unknown = new ModelController(host(), () => {}, loadReporting([
      { status: 'progress', file: ONNX, loaded: 10, total: null, overall: { loaded: 10, total: null } },
    ]));
    unknown.run({ model: 'someone/unknown' });
    expect(unknown.overall).toEqual({ loaded: 10, total: null, estimated: false });
  });
});

/** A controller whose load reports `events` and then never finishes. */
function reportedBy(events: LoadProgress[]): ModelController {
  const controller = new ModelController(host(), () => {}, loadReporting(events));
  controller.run({ model: 'someone/model' });
  return controller;
}

describe('a resumed download in the load progress', () => {
  const overall = (loaded: number) => ({ loaded, total: 1_000 });
  const resumed = { from: 600, cause: 'stored', ranged: true } as const;

  it('keeps the resume through later progress events and into done, with what the bytes were checked against', () => {
    const mid = reportedBy([
      { status: 'progress', file: ONNX, loaded: 600, total: 1_000, overall: overall(600), resumed },
      { status: 'progress', file: ONNX, loaded: 800, total: 1_000, overall: overall(800) },
    ]);
    expect(mid.files.get(ONNX)).toMatchObject({ loaded: 800, done: false, resumed });
    const done = reportedBy([
      { status: 'progress', file: ONNX, loaded: 600, total: 1_000, overall: overall(600), resumed },
      { status: 'done', file: ONNX, bytes: 1_000, fromCache: false, overall: overall(1_000), verified: 'sha256' },
    ]);
    expect(done.files.get(ONNX)).toMatchObject({ loaded: 1_000, done: true, resumed, verified: 'sha256' });
  });

  it('a download that never resumed says nothing of it', () => {
    const plain = reportedBy([
      { status: 'progress', file: ONNX, loaded: 10, total: 1_000, overall: overall(10) },
      { status: 'done', file: ONNX, bytes: 1_000, fromCache: true, overall: overall(1_000) },
    ]);
    expect(plain.files.get(ONNX)).not.toHaveProperty('resumed');
    expect(plain.files.get(ONNX)).not.toHaveProperty('verified');
  });
});
