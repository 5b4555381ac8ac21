/** `<bge-reranker>`: the embeddable element; it owns a worker reranker and loads on first `.rerank()` / `.load()`. */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { createWorkerReranker, type WorkerReranker } from '../../worker/client.ts';
import { DEFAULT_BATCH_SIZE } from '../../lib/batching/batching.ts';
import { DEFAULT_MAX_LENGTH } from '../../lib/text/pairs.ts';
import { RerankerSlot } from '../shared/reranker-slot.ts';
import type { BatchRecord, DeviceRequest, DtypeRequest, LoadProgress, RerankResult } from '../../lib/types.ts';
import { modelSourceFromAttribute, type RankedDetail } from './bge-reranker-api.ts';
import { describeError, formatByteProgress, formatMs, isAbort, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import '../rerank/rerank-results.ts';
import '../rerank/batch-timing.ts';

/**
 * A standalone reranker: give it a model, a query and documents; it loads the model in a worker and shows the
 * ranking (documents as text) with per-batch timing. Everything stays in the page. Nothing loads when the element
 * appears: the model loads on the first `rerank()` or `load()` (call `load()` to fetch it early), and
 * `bge-reranker-ready` fires when that load is done; do not wait for it before calling either.
 *
 * ```html
 * <bge-reranker model="models/tiny-random-bge-reranker/" query="capital of France" top-k="3"></bge-reranker>
 * <script type="module">
 *   const el = document.querySelector('bge-reranker');
 *   el.documents = ['Berlin is in Germany.', 'Paris is the capital of France.'];
 *   const results = await el.rerank(); // → [{ index: 1, score: 0.98, ... }, ...]
 * </script>
 * ```
 *
 * @fires bge-reranker-progress - `detail` is a LoadProgress event
 * @fires bge-reranker-ready - `detail` is the RerankerInfo of the loaded model
 * @fires bge-reranker-ranked - `detail` is a RankedDetail
 * @fires bge-reranker-error - `detail.error` is the error (named: ModelLoadError, InputError, ...), once per failure
 * @csspart status - the status line
 */
@customElement('bge-reranker')
export class BgeRerankerElement extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        --fg: inherit;
        --muted: #6b7280;
        --border: #d1d5db;
        --surface-2: #eef1f4;
        --accent: #0b5cad;
        --warn-text: #7a5a00;
        --warn-border: #e0b100;
        --warn-bg: #fff6d6;
        --ok-text: #1e6b2b;
        --ok-border: #6fbf7b;
        --ok-bg: #e3f5e6;
        --chart-1: #0b5cad;
        --chart-2: #c2410c;
      }
    `,
  ];

  /** Hub id (`onnx-community/bge-reranker-v2-m3-ONNX`) or the URL of a model folder, relative to the page. */
  @property() model = 'onnx-community/bge-reranker-v2-m3-ONNX';
  /** A hub mirror for hub ids (`{remote-host}{id}/resolve/main/…`); unset: huggingface.co. */
  @property({ attribute: 'remote-host' }) remoteHost: string | undefined = undefined;
  @property() dtype: DtypeRequest = 'auto';
  @property() device: DeviceRequest = 'auto';
  @property({ type: Number, attribute: 'max-length' }) maxLength = DEFAULT_MAX_LENGTH;
  @property({ type: Number, attribute: 'batch-size' }) batchSize = DEFAULT_BATCH_SIZE;
  @property({ type: Number, attribute: 'top-k' }) topK: number | undefined = undefined;
  /** `chunk`: a long document is scored by its best window, which each result's `window` gives (see RerankOptions). */
  @property({ attribute: 'long-documents' }) longDocuments: 'truncate' | 'chunk' = 'truncate';
  @property() query = '';
  @property({ attribute: false }) documents: readonly string[] = [];
  /** Show the per-batch timing table and chart under the ranking. */
  @property({ type: Boolean }) timing = false;

  @state() private status = 'No model loaded yet: it loads on the first rerank() or load().';
  @state() private results: RerankResult[] = [];
  @state() private rankedDocuments: readonly string[] = [];
  @state() private batches: BatchRecord[] = [];
  @state() private error: string | null = null;

  private readonly rerankers = new RerankerSlot<WorkerReranker>();
  /** Errors already announced: a load failure that a rerank() also awaited is still one `bge-reranker-error`. */
  private readonly reported = new WeakSet<object>();

  /** Loads the model for the current settings (once), announcing a failure; the loaded model stays until it is ready. */
  load(): Promise<WorkerReranker> {
    const loading = this.ensureLoaded();
    // A load replaced by newer settings is no failure of the user's: only real errors are announced.
    loading.catch((error: unknown) => isAbort(error) || this.fail(error));
    return loading;
  }

  private ensureLoaded(): Promise<WorkerReranker> {
    const settings = JSON.stringify([this.model, this.remoteHost, this.dtype, this.device, this.maxLength]);
    // A model loaded with other settings stays loaded (and the slot keeps it) until this one is ready.
    return this.rerankers.get(settings, async (signal) => {
      this.status = 'Loading the model…';
      const reranker = await createWorkerReranker({
        model: modelSourceFromAttribute(this.model, document.baseURI),
        ...(this.remoteHost ? { remoteHost: this.remoteHost } : {}),
        dtype: this.dtype,
        device: this.device,
        maxLength: this.maxLength,
        signal,
        progress: (event) => this.onProgress(event),
      });
      this.status = `Ready: ${reranker.info.backend} / ${reranker.info.dtype}, loaded in ${formatMs(reranker.info.loadMs)} ms.`;
      this.emit('bge-reranker-ready', reranker.info);
      return reranker;
    });
  }

  /** Ranks `documents` against `query` (or the properties), shows and returns the results. */
  async rerank(query = this.query, documents = this.documents): Promise<RerankResult[]> {
    this.error = null;
    try {
      const reranker = await this.ensureLoaded();
      const batches: BatchRecord[] = [];
      this.batches = [];
      this.status = `Scoring ${plural(documents.length, 'document')}…`;
      const started = performance.now();
      const results = await reranker.rerank(query, documents, {
        batchSize: this.batchSize,
        topK: this.topK,
        longDocuments: this.longDocuments,
        onBatch: (record) => batches.push(record),
      });
      const wallMs = performance.now() - started;
      this.results = results;
      this.rankedDocuments = documents;
      this.batches = batches;
      this.status = `Ranked ${plural(documents.length, 'document')} in ${formatMs(wallMs)} ms (${plural(batches.length, 'batch')}).`;
      this.emit('bge-reranker-ranked', { query, results, batches, wallMs } satisfies RankedDetail);
      return results;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new model setting makes the loaded one stale: load the new one now.
    if (['model', 'remoteHost', 'dtype', 'device', 'maxLength'].some((k) => changed.has(k as keyof BgeRerankerElement)) && this.rerankers.holding) {
      void this.load().catch(() => {});
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.rerankers.clear();
  }

  override render() {
    return html`
      <p part="status" role="status" data-testid="bge-status">${this.status}</p>
      ${this.error ? html`<p class="error" role="alert" data-testid="bge-error">${this.error}</p>` : nothing}
      <rerank-results .results=${this.results} .documents=${this.rankedDocuments}></rerank-results>
      ${this.timing ? html`<batch-timing .records=${this.batches}></batch-timing>` : nothing}
    `;
  }

  private onProgress(event: LoadProgress): void {
    if (event.status === 'progress' || event.status === 'done') {
      this.status = `Loading the model… ${formatByteProgress(event.overall.loaded, event.overall.total)}`;
    }
    this.emit('bge-reranker-progress', event);
  }

  /** Shows and announces a failure, once per error however many callers saw it. */
  private fail(error: unknown): void {
    if (typeof error === 'object' && error !== null) {
      if (this.reported.has(error)) return;
      this.reported.add(error);
    }
    this.error = describeError(error);
    const kept = this.rerankers.current;
    // Say plainly what is loaded now: the model of the settings before, which rerank() will not use with these.
    this.status = kept
      ? `Failed. Still loaded: the model of the previous settings (${kept.info.backend} / ${kept.info.dtype}), used again if the settings go back to it.`
      : 'Failed.';
    this.emit('bge-reranker-error', { error });
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

// The `HTMLElementTagNameMap` entry is in src/element.ts, typed by the public interface (no Lit types in it).
