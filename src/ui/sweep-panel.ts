import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import type uPlot from 'uplot';
import { DEFAULT_SWEEP_BATCH_SIZES, kneeOf, MAX_SWEEP_COUNT, sweepToCsv, type SweepRow } from '../lib/sweep.ts';
import { SweepController } from './sweep-controller.ts';
import type { AppReranker } from './reranker-source.ts';
import { sweepPairs, type RerankRequest } from './rerank-request.ts';
import { describeError, formatBytes, formatMs, formatRate, isAbort, taskStateKey, type TaskStateKey } from './format.ts';
import { downloadText } from './download.ts';
import { baseStyles } from './styles.ts';
import type { ChartOptions } from './uplot-chart.ts';
import './uplot-chart.ts';

const CHART_OPTIONS: ChartOptions = {
  scales: { x: { time: false, distr: 3, log: 2 }, ms: {}, rate: {} },
  series: [
    { label: 'batch size' },
    { label: 'avg batch ms', scale: 'ms', stroke: 'var(--chart-1)', width: 2, points: { show: true, size: 7 }, value: (_u, v) => (v == null ? '—' : formatMs(v)) },
    { label: 'pairs/s', scale: 'rate', stroke: 'var(--chart-2)', width: 2, dash: [6, 4], points: { show: true, size: 7 }, value: (_u, v) => (v == null ? '—' : formatRate(v)) },
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

/**
 * The seed's batch-size sweep on the loaded model: the current query and documents (cycled to enough pairs), batch 1,
 * 2, 4, … after a warm-up, average batch latency, pairs/s and memory per row, stopping at the first out-of-memory
 * size; the knee marked; a table and a plot; CSV and JSON export. Timing happens in the worker.
 *
 * @fires busy-change - `detail.busy` while the sweep runs (reranks wait: concurrent calls would share batches)
 * @csspart run - the sweep button
 */
@customElement('sweep-panel')
export class SweepPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
      input[type='number'] {
        width: 5.5rem;
      }
      #batch-sizes {
        width: 14rem;
      }
      tr.knee td {
        background: var(--ok-bg);
        font-weight: 600;
      }
      tr.failed td {
        color: var(--danger);
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
    if (counts.some(([n, min]) => !Number.isInteger(n) || n < min || n > MAX_SWEEP_COUNT)) return `Pairs, warm-up and repeats: whole numbers up to ${MAX_SWEEP_COUNT}.`;
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

  private exportCsv(): void {
    downloadText('batch-size-sweep.csv', sweepToCsv(this.sweep.rows), 'text/csv');
  }

  private exportJson(): void {
    const rows = this.sweep.rows;
    const report = { ...this.sweep.run, knee: kneeOf(rows), rows };
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
      <p class="hint">The seed's method: time the same pairs at growing batch sizes, watch memory, stop at the first
        out-of-memory size, and take the knee (the smallest batch within 90 % of the best pairs/s).</p>
      <fieldset ?disabled=${running}>
        <legend>Settings</legend>
        <div class="row">
          <div class="field">
            <label for="batch-sizes">Batch sizes</label>
            <input id="batch-sizes" type="text" inputmode="numeric" data-testid="sweep-batch-sizes" .value=${this.batchSizesText}
              @input=${(e: Event) => (this.batchSizesText = (e.target as HTMLInputElement).value)} />
          </div>
          ${number('sweep-pairs', 'Pairs', this.pairCount, (n) => (this.pairCount = n))}
          ${number('sweep-warmup', 'Warm-up runs', this.warmup, (n) => (this.warmup = n))}
          ${number('sweep-repeats', 'Measured runs', this.repeats, (n) => (this.repeats = n))}
        </div>
      </fieldset>
      <div class="actions">
        <button class="primary" part="run" data-testid="sweep-button" ?disabled=${running || blocker !== null} @click=${this.start}>Run sweep</button>
        ${running ? html`<button data-testid="cancel-sweep-button" @click=${() => this.sweep.cancel()}>Cancel</button>` : nothing}
        <button data-testid="sweep-csv" ?disabled=${this.sweep.rows.length === 0} @click=${this.exportCsv}>Export CSV</button>
        <button data-testid="sweep-json" ?disabled=${this.sweep.rows.length === 0} @click=${this.exportJson}>Export JSON</button>
        <span role="status" data-testid="sweep-status" data-status=${this.statusKey()}>${this.statusText(blocker)}</span>
      </div>
      ${this.sweep.status === TaskStatus.ERROR && !isAbort(this.sweep.error)
        ? html`<p class="error" role="alert">${describeError(this.sweep.error)}</p>`
        : nothing}
      ${this.renderRows(this.sweep.rows)}
    `;
  }

  private renderRows(rows: readonly SweepRow[]) {
    if (rows.length === 0) return nothing;
    const knee = kneeOf(rows);
    const data: uPlot.AlignedData = [rows.map((r) => r.batchSize), rows.map((r) => r.avgBatchMs), rows.map((r) => r.pairsPerSecond)];
    return html`
      ${knee !== null ? html`<p data-testid="sweep-knee">Knee: <strong>batch ${knee}</strong>.</p>` : nothing}
      <uplot-chart label="Average batch latency and pairs per second by batch size" .options=${CHART_OPTIONS} .data=${data} height="220"></uplot-chart>
      <div class="table-wrap">
        <table data-testid="sweep-table">
          <caption class="visually-hidden">Batch-size sweep</caption>
          <thead>
            <tr>
              <th scope="col">batch</th><th scope="col">batches</th><th scope="col">avg ms</th><th scope="col">p50 ms</th>
              <th scope="col">pairs/s</th><th scope="col">wasm heap</th><th scope="col">GPU buffers</th><th scope="col" class="text">note</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((r) => html`
              <tr data-testid="sweep-row" data-batch-size=${r.batchSize} data-status=${r.status}
                class=${r.batchSize === knee ? 'knee' : r.status !== 'ok' ? 'failed' : ''}>
                <td>${r.batchSize}</td>
                <td>${r.batches}</td>
                <td>${formatMs(r.avgBatchMs)}</td>
                <td>${formatMs(r.p50BatchMs)}</td>
                <td>${formatRate(r.pairsPerSecond)}</td>
                <td>${formatBytes(r.wasmHeapBytes)}</td>
                <td title="peak ${formatBytes(r.gpuBufferPeakBytes)}">${formatBytes(r.gpuBufferBytes)}</td>
                <td class="note">${r.status === 'oom' ? `out of memory${r.error ? `: ${r.error}` : ''}` : r.status === 'error' ? r.error : r.batchSize === knee ? 'knee' : ''}</td>
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
        return `Done: ${this.sweep.rows.length} batch sizes.`;
      case 'cancelled':
        return 'Cancelled; rows so far are kept.';
      case 'error':
        return 'Sweep failed.';
      default:
        return blocker ?? 'Ready.';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sweep-panel': SweepPanel;
  }
}
