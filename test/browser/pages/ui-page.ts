/**
 * The UI lifecycle's browser test page: `<bge-reranker>` against the demo model and a missing one, and the model
 * controller over a fake reranker whose info changes (a lost GPU device, recovered on wasm). Everything returned is
 * plain, cloneable data.
 *
 * @example
 * await page.evaluate(() => window.elementFailures())
 * // → { missingAlone: { events: 1, error: 'ModelLoadError', ... }, missingAfterLoaded: { events: 1, ... }, ... }
 */
import { LitElement, html } from 'lit';
import '../../../src/ui/element/bge-reranker-element.ts';
import type { BgeRerankerElement } from '../../../src/ui/element/bge-reranker-element.ts';
import { ModelController } from '../../../src/ui/model/model-controller.ts';
import type { AppReranker } from '../../../src/ui/app/reranker-source.ts';
import type { RerankerInfo, RerankerOptions } from '../../../src/lib/types.ts';

/** In Vite's dev server, files in public/ are served at the root. */
const DEMO = '/models/tiny-random-bge-reranker/';

export interface FailureReport {
  /** `bge-reranker-error` events the failure fired. */
  events: number;
  error: string | null;
  status: string;
}

export interface ElementReport {
  missingAlone: FailureReport;
  missingAfterLoaded: FailureReport;
  /** `bge-reranker-ready` events when the settings went back to the model loaded before: 0 means it was kept. */
  readyAgain: number;
  rankedAgain: number;
}

function statusOf(el: BgeRerankerElement): string {
  return el.shadowRoot?.querySelector('[part="status"]')?.textContent ?? '';
}

async function failure(el: BgeRerankerElement, run: () => Promise<unknown>): Promise<FailureReport> {
  let events = 0;
  const count = () => events++;
  el.addEventListener('bge-reranker-error', count);
  const error = await run().then(() => null, (e: unknown) => (e as Error).name);
  await el.updateComplete;
  // Give any second report of the same failure (a background load's) its chance to arrive.
  await new Promise((resolve) => setTimeout(resolve, 0));
  el.removeEventListener('bge-reranker-error', count);
  return { events, error, status: statusOf(el) };
}

async function elementFailures(): Promise<ElementReport> {
  const alone = document.createElement('bge-reranker') as BgeRerankerElement;
  alone.setAttribute('model', 'models/no-such-model');
  alone.device = 'wasm';
  document.body.append(alone);
  const missingAlone = await failure(alone, () => alone.rerank('capital of France?', ['Paris.', 'Berlin.']));
  alone.remove();

  const el = document.createElement('bge-reranker') as BgeRerankerElement;
  el.model = DEMO;
  el.device = 'wasm';
  document.body.append(el);
  let ready = 0;
  el.addEventListener('bge-reranker-ready', () => ready++);
  await el.rerank('capital of France?', ['Paris is the capital of France.', 'Berlin is in Germany.']);
  // A new model setting starts a background load (willUpdate) and the rerank joins it: one failure, one event.
  el.model = '/models/no-such-model/';
  const missingAfterLoaded = await failure(el, () => el.rerank('capital of France?', ['Paris.', 'Berlin.']));
  const readyBefore = ready;
  el.model = DEMO;
  const ranked = await el.rerank('capital of France?', ['Paris is the capital of France.', 'Berlin is in Germany.']);
  el.remove();
  return { missingAlone, missingAfterLoaded, readyAgain: ready - readyBefore, rankedAgain: ranked.length };
}

/** A reranker that stands in for the worker's: its info changes when `lose()` is called, as after a lost GPU device. */
function fakeReranker(backend: 'webgpu' | 'wasm') {
  let info = { backend, dtype: 'fp16', modelId: 'fake', fallbacks: [], notes: [], files: [], loadMs: 1, maxLength: 512,
    numThreads: 1, adapter: null, fidelity: null, generated: true, architecture: 'FakeForSequenceClassification', labels: 1,
  } as unknown as RerankerInfo;
  const listeners = new Set<(info: RerankerInfo) => void>();
  const reranker = {
    get info() {
      return info;
    },
    onInfoChange(listener: (next: RerankerInfo) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {},
  } as unknown as AppReranker;
  const lose = () => {
    info = { ...info, backend: 'wasm', dtype: 'q8', fallbacks: [{ from: 'webgpu', to: 'wasm', reason: 'the GPU device was lost' }] } as RerankerInfo;
    for (const listener of listeners) listener(info);
  };
  return { reranker, lose };
}

class ControllerHost extends LitElement {
  creates: ((options: RerankerOptions) => Promise<AppReranker>)[] = [];
  readonly model = new ModelController(this, () => {}, (options) => this.creates.shift()!(options));

  override render() {
    return html`<span id="backend">${this.model.info ? `${this.model.info.backend} / ${this.model.info.dtype}` : 'none'}</span>`;
  }
}
customElements.define('controller-host', ControllerHost);

export interface ControllerReport {
  before: string;
  afterLoss: string;
  afterFailedLoad: string;
  keptSameReranker: boolean;
  filesAfterFailure: number;
  status: number;
}

async function controllerFollowsInfo(): Promise<ControllerReport> {
  const host = document.createElement('controller-host') as ControllerHost;
  document.body.append(host);
  const text = async () => {
    await host.updateComplete;
    return host.shadowRoot!.querySelector('#backend')!.textContent!;
  };
  const gpu = fakeReranker('webgpu');
  host.creates.push(async () => gpu.reranker);
  host.model.run({ model: 'fake/first' });
  while (host.model.pending) await new Promise((resolve) => setTimeout(resolve, 0));
  const before = await text();
  gpu.lose();
  const afterLoss = await text();
  host.creates.push(async (options) => {
    options.progress?.({ status: 'initiate', file: 'config.json' });
    throw Object.assign(new Error('config.json is missing (HTTP 404)'), { name: 'ModelLoadError' });
  });
  host.model.run({ model: 'fake/missing' });
  while (host.model.pending) await new Promise((resolve) => setTimeout(resolve, 0));
  const afterFailedLoad = await text();
  const report = { before, afterLoss, afterFailedLoad, keptSameReranker: host.model.reranker === gpu.reranker,
    filesAfterFailure: host.model.files.size, status: host.model.status };
  host.remove();
  return report;
}

declare global {
  interface Window {
    elementFailures: typeof elementFailures;
    controllerFollowsInfo: typeof controllerFollowsInfo;
    uiReady: boolean;
  }
}

window.elementFailures = elementFailures;
window.controllerFollowsInfo = controllerFollowsInfo;
window.uiReady = true;
