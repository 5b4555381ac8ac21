/** `<sweep-panel>`: runs the batch-size sweep over SweepController and shows its table, chart and knee. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import type uPlot from 'uplot';
import { DEFAULT_SWEEP_BATCH_SIZES, findKnee, MAX_SWEEP_COUNT, sweepToCsv, type Knee, type SweepRow } from '../../lib/sweep/sweep.ts';
import { SweepController } from './sweep-controller.ts';
import type { AppReranker } from '../app/reranker-source.ts';
import { sweepPairs, type RerankRequest } from '../rerank/rerank-request.ts';
import { describeError, formatBytes, formatMs, formatRate, isAbort, plural, taskStateKey, type TaskStateKey } from '../shared/format.ts';
import { downloadText } from '../shared/download.ts';
import { baseStyles, stackTableStyles } from '../shared/styles.ts';
import { lastPointLegend, type ChartOptions } from '../shared/uplot-chart.ts';
import '../shared/uplot-chart.ts';

const CHART_OPTIONS: ChartOptions = {
  scales: { x: { time: false, distr: 3, log: 2 }, ms: {}, rate: {} },
  series: [
    { label: 'batch size', value: lastPointLegend(String) },
    { label: 'avg batch ms', scale: 'ms', stroke: 'var(--chart-1)', width: 2, points: { show: true, size: 7 }, value: lastPointLegend(formatMs) },
    { label: 'pairs/s', scale: 'rate', stroke: 'var(--chart-2)', width: 2, dash: [6, 4], points: { show: true, size: 7 }, value: lastPointLegend(formatRate) },
  ],
  axes: [
    { label: 'batch size' },
    { label: 'ms', scale: 'ms', size: 55 },
    { label: 'pairs/s', scale: 'rate', side: 1, size: 55, grid: { show: false } },
  ],
  cursor: { drag: { x: false, y: false } },
};

/** "1, 2, 4" → [1, 2, 4]; null when any entry is not a whole number ≥ 1. */
export function parseBatchSizes(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return null;
  const sizes = parts.map(Number);
  return sizes.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_SWEEP_COUNT) ? sizes : null;
}

/** Measured runs per batch size a knee needs: one run has no spread to judge the noise by. */
const KNEE_MIN_RUNS = 2;

/**
 * The batch-size sweep on the loaded model: the current query and documents (cycled to enough pairs), batch 1, 2, 4, …
 * after a warm-up, each measured several times: average batch latency, pairs/s with the spread of the runs, and memory
 * per row, stopping at the first out-of-memory size. Once the sweep is done, the knee (or "no clear knee" where the
 * noise could move it); a table and a plot; CSV and JSON export. Timing happens in the worker.
 *
 * @fires busy-change - `detail.busy` while the sweep runs (reranks wait: concurrent calls would share batches)
 * @csspart run - the sweep button
 */
@customElement('sweep-panel')
export class SweepPanel extends LitElement {
  static override styles = [
    baseStyles,
    stackTableStyles('40rem'),
    css`
      input[type='number'] {
        width: 5.5rem;
      }
      #batch-sizes {
        width: 14rem;
      }
      tr.knee,
      tr.knee td {
        background: var(--ok-bg);
        font-weight: 600;
      }
      tr.failed td {
        color: var(--danger);
      }
      .blocked {
        color: var(--warn-text);
      }
      td.note {
        text-align: left;
        white-space: normal;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) reranker: AppReranker | null = null;
  @property({ attribute: false }) request: RerankRequest | null = null;
  /** What holds the model now ("the sweep", "the model load"): this waits for it. */
  @property({ attribute: false }) blockedBy: string | null = null;

  @state() private batchSizesText = DEFAULT_SWEEP_BATCH_SIZES.join(', ');
  @state() private pairCount = 64;
  @state() private warmup = 1;
  @state() private repeats = 3;

  private readonly sweep = new SweepController(this);
  private wasBusy = false;

  private blocker(): string | null {
    if (this.blockedBy) return `Waiting for ${this.blockedBy} to finish.`;
    if (!this.reranker) return 'Load a model first.';
    if (!this.request || this.request.query.trim() === '' || this.request.documents.length === 0) return 'Enter a query and documents: the sweep scores them.';
    if (!parseBatchSizes(this.batchSizesText)) return `Batch sizes: whole numbers from 1 to ${MAX_SWEEP_COUNT}, separated by commas.`;
    const counts: [number, number][] = [[this.pairCount, 1], [this.warmup, 0], [this.repeats, 1]];
    if (counts.some(([n, min]) => !Number.isInteger(n) || n < min || n > MAX_SWEEP_COUNT)) {
      return `Pairs per run and measured runs: whole numbers from 1 to ${MAX_SWEEP_COUNT}; warm-up runs from 0.`;
    }
    return null;
  }

  private start(): void {
    if (this.blocker() !== null) return;
    void this.sweep.start(this.reranker!, {
      batchSizes: parseBatchSizes(this.batchSizesText)!,
      warmup: this.warmup,
      repeats: this.repeats,
      pairs: sweepPairs(this.request!, this.pairCount),
    }).catch(() => {});
  }

  protected override updated(): void {
    if (this.sweep.pending !== this.wasBusy) {
      this.wasBusy = this.sweep.pending;
      this.dispatchEvent(new CustomEvent('busy-change', { detail: { busy: this.wasBusy }, bubbles: true, composed: true }));
    }
  }

  /** The knee of a finished sweep; null while it runs or after a cancel (rows still to come could move it). */
  private knee(): Knee | null {
    return this.sweep.status === TaskStatus.COMPLETE ? findKnee(this.sweep.rows, { minRuns: KNEE_MIN_RUNS }) : null;
  }

  private exportCsv(): void {
    const knee = this.knee();
    downloadText('batch-size-sweep.csv', sweepToCsv(this.sweep.rows, knee?.clear ? knee.batchSize : null), 'text/csv');
  }

  private exportJson(): void {
    const report = { ...this.sweep.run, knee: this.knee(), rows: this.sweep.rows };
    downloadText('batch-size-sweep.json', `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  }

  override render() {
    const running = this.sweep.pending;
    const blocker = this.blocker();
    const number = (id: string, label: string, value: number, set: (n: number) => void) => html`
      <div class="field">
        <label for=${id}>${label}</label>
        <input id=${id} type="number" min="0" step="1" data-testid=${id} .value=${String(value)}
          @input=${(e: Event) => set((e.target as HTMLInputElement).valueAsNumber)} />
      </div>`;
    return html`
      <h2>Batch-size sweep</h2>
      <p class="hint">Finds the batch size for this device: the same pairs are scored at growing batch sizes, each
        several times, until memory runs out. The knee is the smallest batch that gets within 90 % of the best
        pairs/s; bigger batches add latency and memory for little more. It is named only when the differences are
        larger than the run-to-run noise.</p>
      <fieldset ?disabled=${running}>
        <legend>Settings</legend>
        <div class="row">
          <div class="field">
            <label for="batch-sizes">Batch sizes</label>
            <input id="batch-sizes" type="text" inputmode="numeric" data-testid="sweep-batch-sizes" .value=${this.batchSizesText}
              @input=${(e: Event) => (this.batchSizesText = (e.target as HTMLInputElement).value)} />
          </div>
          ${number('sweep-pairs', 'Pairs per run', this.pairCount, (n) => (this.pairCount = n))}
          ${number('sweep-warmup', 'Warm-up runs', this.warmup, (n) => (this.warmup = n))}
          ${number('sweep-repeats', 'Measured runs', this.repeats, (n) => (this.repeats = n))}
        </div>
        <p class="hint">Pairs per run: the query with each document, in turn, repeated up to this many pairs${this.request?.documents.length
          ? ` (${this.request.documents.length} documents now)` : ''}. Warm-up runs are not measured.</p>
      </fieldset>
      <div class="actions">
        <button class="primary" part="run" data-testid="sweep-button" ?disabled=${running || blocker !== null} @click=${this.start}>Run sweep</button>
        ${running ? html`<button data-testid="cancel-sweep-button" @click=${() => this.sweep.cancel()}>Cancel</button>` : nothing}
        <button data-testid="sweep-csv" ?disabled=${this.sweep.status !== TaskStatus.COMPLETE} @click=${this.exportCsv}>Export CSV</button>
        <button data-testid="sweep-json" ?disabled=${this.sweep.status !== TaskStatus.COMPLETE} @click=${this.exportJson}>Export JSON</button>
        ${blocker && !running ? html`<span class="blocked" data-testid="sweep-blocked">${blocker}</span>` : nothing}
        <span role="status" data-testid="sweep-status" data-status=${this.statusKey()}>${this.statusText(blocker)}</span>
      </div>
      ${this.sweep.status === TaskStatus.ERROR && !isAbort(this.sweep.error)
        ? html`<p class="error" role="alert">${describeError(this.sweep.error)}</p>`
        : nothing}
      ${this.renderRows(this.sweep.rows)}
    `;
  }

  private renderKnee(knee: Knee | null) {
    if (this.sweep.pending) return html`<p class="hint" data-testid="sweep-knee" data-knee="pending">The knee is named when the sweep is done.</p>`;
    if (!knee) return nothing;
    return knee.clear
      ? html`<p data-testid="sweep-knee" data-knee=${knee.batchSize}>Knee: <strong>batch ${knee.batchSize}</strong>
          (${knee.batchSize === knee.best ? 'the best pairs/s' : `within 90 % of the best pairs/s (batch ${knee.best}) in every run`};
          no smaller batch comes within 90 % in any run).</p>`
      : html`<p data-testid="sweep-knee" data-knee="none"><strong>No clear knee</strong>: ${knee.reason}.
          ${knee.between ? 'More measured runs or more pairs may separate them.' : ''}</p>`;
  }

  private renderRows(rows: readonly SweepRow[]) {
    if (rows.length === 0) return nothing;
    const knee = this.knee();
    const kneeSize = knee?.clear ? knee.batchSize : null;
    // On wasm no GPU buffer exists: a column of "0 B" said nothing.
    const gpu = this.sweep.run?.info.backend === 'webgpu';
    const stale = !this.sweep.pending && this.sweep.measuredOn !== this.reranker;
    const data: uPlot.AlignedData = [rows.map((r) => r.batchSize), rows.map((r) => r.avgBatchMs), rows.map((r) => r.pairsPerSecond)];
    const spread = (r: SweepRow) => r.pairsPerSecondMin === null || r.pairsPerSecondMax === null ? '—'
      : r.runs < 2 ? 'one run' : `${formatRate(r.pairsPerSecondMin)}–${formatRate(r.pairsPerSecondMax)}`;
    const note = (r: SweepRow) => r.status === 'oom' ? `out of memory${r.error ? `: ${r.error}` : ''}` : r.status === 'error' ? r.error
      : r.batchSize === kneeSize ? 'knee' : '';
    return html`
      ${stale ? html`<p class="banner info" data-testid="sweep-stale">These rows were measured on a model that is no longer
        loaded: run the sweep again for this one.</p>` : nothing}
      ${this.renderKnee(knee)}
      <uplot-chart label="Average batch latency and pairs per second by batch size" .options=${CHART_OPTIONS} .data=${data} height="220"></uplot-chart>
      <div class="table-wrap">
        <table class="stack" data-testid="sweep-table" data-stale=${stale}>
          <caption class="visually-hidden">Batch-size sweep</caption>
          <thead>
            <tr>
              <th scope="col">batch</th><th scope="col">batches</th><th scope="col">avg ms</th><th scope="col">p50 ms</th>
              <th scope="col">pairs/s</th><th scope="col">pairs/s range</th><th scope="col" title="the wasm heap: onnxruntime's CPU memory">wasm memory</th>${gpu
                ? html`<th scope="col" title="WebGPU buffers alive after the batch">GPU memory</th>` : nothing}
              <th scope="col" class="text">note</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((r) => html`
              <tr data-testid="sweep-row" data-batch-size=${r.batchSize} data-status=${r.status}
                class=${r.batchSize === kneeSize ? 'knee' : r.status !== 'ok' ? 'failed' : ''}>
                <td data-label="batch" class="head">${r.batchSize}</td>
                <td data-label="batches">${r.batches}</td>
                <td data-label="avg ms">${formatMs(r.avgBatchMs)}</td>
                <td data-label="p50 ms">${formatMs(r.p50BatchMs)}</td>
                <td data-label="pairs/s">${formatRate(r.pairsPerSecond)}</td>
                <td data-label="pairs/s range" title="slowest–fastest of ${r.runs} measured runs">${spread(r)}</td>
                <td data-label="wasm memory">${formatBytes(r.wasmHeapBytes)}</td>
                ${gpu ? html`<td data-label="GPU memory" title="peak ${formatBytes(r.gpuBufferPeakBytes)}">${formatBytes(r.gpuBufferBytes)}</td>` : nothing}
                <td data-label="note" class="note ${note(r) ? 'wide' : 'empty'}">${note(r)}</td>
              </tr>`)}
          </tbody>
        </table>
      </div>
    `;
  }

  private statusKey(): TaskStateKey {
    return taskStateKey(this.sweep.status, this.sweep.error);
  }

  private statusText(blocker: string | null): string {
    switch (this.statusKey()) {
      case 'running':
        return `Measuring batch ${this.sweep.current ?? '…'}…`;
      case 'done':
        return `${blocker ? 'Last sweep done' : 'Done'}: ${plural(this.sweep.rows.length, 'batch size')}.`;
      case 'cancelled':
        return 'Cancelled; rows so far are kept.';
      case 'error':
        return 'Sweep failed.';
      default:
        return blocker ? '' : 'Ready.';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sweep-panel': SweepPanel;
  }
}
