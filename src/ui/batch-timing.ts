import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { distribution, type Distribution } from '../lib/sweep.ts';
import { describeBatchEvent, type BatchRecord } from '../lib/types.ts';
import { formatMs, formatRate } from './format.ts';
import { baseStyles } from './styles.ts';
import type { ChartOptions } from './uplot-chart.ts';
import './uplot-chart.ts';

const CHART_OPTIONS: ChartOptions = {
  scales: { x: { time: false }, ms: {}, rate: {} },
  series: [
    { label: 'batch' },
    { label: 'latency (ms)', scale: 'ms', stroke: 'var(--chart-1)', width: 2, points: { show: true, size: 6 }, value: (_u, v) => (v == null ? '—' : formatMs(v)) },
    { label: 'pairs/s', scale: 'rate', stroke: 'var(--chart-2)', width: 2, dash: [6, 4], points: { show: true, size: 6 }, value: (_u, v) => (v == null ? '—' : formatRate(v)) },
  ],
  axes: [
    { label: 'batch', incrs: [1, 2, 5, 10, 20, 50, 100] },
    { label: 'ms', scale: 'ms', size: 55 },
    { label: 'pairs/s', scale: 'rate', side: 1, size: 55, grid: { show: false } },
  ],
  cursor: { drag: { x: false, y: false } },
};

/**
 * Per-batch timing as the worker reports it: a live table (batch, pairs, tokens, padded, ms, pairs/s), a uPlot chart of
 * latency and throughput per batch, and a summary with the distributions the seed asks to watch (batch sizes and
 * latencies: min / median / p95 / max). "ms" is the record's totalMs: tokenizing plus running, timed in the worker.
 *
 * @csspart table - the per-batch table
 */
@customElement('batch-timing')
export class BatchTiming extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .summary {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
        gap: 0.5rem;
        margin: 0.5rem 0 0.75rem;
      }
      .stat {
        background: var(--surface-2);
        border-radius: 6px;
        padding: 0.4rem 0.6rem;
      }
      .stat strong {
        display: block;
        font-size: 1.1rem;
        font-variant-numeric: tabular-nums;
      }
      .stat span {
        font-size: 0.8rem;
        color: var(--muted);
      }
      .table-wrap {
        max-height: 18rem;
      }
      tr.event td {
        text-align: left;
        white-space: normal;
        color: var(--warn-text);
        font-size: 0.8rem;
      }
    `,
  ];

  @property({ attribute: false }) records: readonly BatchRecord[] = [];
  /** End-to-end time seen by the page, once the run is over. */
  @property({ attribute: false }) wallMs: number | null = null;

  override render() {
    const records = this.records;
    if (records.length === 0) return html`<p class="hint">Batch timings appear here as batches complete.</p>`;
    const data: uPlot.AlignedData = [
      records.map((r) => r.index + 1),
      records.map((r) => r.totalMs),
      records.map((r) => (r.ownPairs * 1000) / r.totalMs),
    ];
    return html`
      ${this.renderSummary()}
      <uplot-chart label="Latency and pairs per second for each batch" .options=${CHART_OPTIONS} .data=${data} height="200"></uplot-chart>
      <div class="table-wrap">
        <table part="table" data-testid="timing-table">
          <caption class="visually-hidden">Per-batch timing</caption>
          <thead>
            <tr>
              <th scope="col">batch</th><th scope="col">pairs</th><th scope="col">tokens</th><th scope="col">padded</th>
              <th scope="col">ms</th><th scope="col">pairs/s</th>
            </tr>
          </thead>
          <tbody>
            ${records.map((r) => html`
              <tr data-testid="timing-row" data-batch=${r.index}>
                <td>${r.index + 1}</td>
                <td>${r.pairs === r.ownPairs ? r.pairs : `${r.ownPairs} of ${r.pairs}`}</td>
                <td>${r.tokens}</td>
                <td>${r.paddedTokens}</td>
                <td title="tokenize ${formatMs(r.tokenizeMs)} ms + run ${formatMs(r.runMs)} ms">${formatMs(r.totalMs)}</td>
                <td>${formatRate((r.ownPairs * 1000) / r.totalMs)}</td>
              </tr>
              ${r.events?.length ? html`<tr class="event"><td colspan="6">${r.events.map(describeBatchEvent).join('; ')}</td></tr>` : nothing}`)}
          </tbody>
        </table>
      </div>
    `;
  }

  private renderSummary() {
    const records = this.records;
    const totalMs = records.reduce((n, r) => n + r.totalMs, 0);
    const runMs = records.reduce((n, r) => n + r.runMs, 0);
    const pairs = records.reduce((n, r) => n + r.ownPairs, 0);
    const padded = records.reduce((n, r) => n + r.paddedTokens, 0);
    const tokens = records.reduce((n, r) => n + r.tokens, 0);
    const sizes = distribution(records.map((r) => r.pairs));
    const latencies = distribution(records.map((r) => r.totalMs));
    const dist = (d: Distribution | null, f: (v: number) => string) =>
      d ? `${f(d.min)} / ${f(d.median)} / ${f(d.p95)} / ${f(d.max)}` : '—';
    return html`<div class="summary" data-testid="timing-summary">
      <div class="stat"><strong data-testid="timing-total-ms">${formatMs(totalMs)} ms</strong><span>total in the worker (${formatMs(runMs)} ms running)</span></div>
      <div class="stat"><strong data-testid="timing-pairs-per-second">${formatRate((pairs * 1000) / totalMs)}</strong><span>pairs/s over ${pairs} pairs in ${records.length} batches</span></div>
      ${this.wallMs !== null
        ? html`<div class="stat"><strong>${formatMs(this.wallMs)} ms</strong><span>end to end, as the page saw it</span></div>`
        : nothing}
      <div class="stat"><strong>${dist(sizes, String)}</strong><span>batch size min / median / p95 / max</span></div>
      <div class="stat"><strong>${dist(latencies, formatMs)}</strong><span>batch ms min / median / p95 / max</span></div>
      <div class="stat"><strong>${padded ? `${((1 - tokens / padded) * 100).toFixed(0)} %` : '—'}</strong><span>padding (${tokens} of ${padded} cells are tokens)</span></div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'batch-timing': BatchTiming;
  }
}
