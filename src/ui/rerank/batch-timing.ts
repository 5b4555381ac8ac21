/** `<batch-timing>`: per-batch timing of the last run as a summary, a table and a chart. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type uPlot from 'uplot';
import { describeBatchEvent, type BatchRecord } from '../../lib/types.ts';
import { formatMs, formatRate, plural } from '../shared/format.ts';
import { baseStyles, stackTableStyles } from '../shared/styles.ts';
import { summarizeBatches, type Spread } from './batch-summary.ts';
import { lastPointLegend, type ChartOptions } from '../shared/uplot-chart.ts';
import '../shared/uplot-chart.ts';

const CHART_OPTIONS: ChartOptions = {
  scales: { x: { time: false }, ms: {}, rate: {} },
  series: [
    { label: 'batch', value: lastPointLegend(String) },
    { label: 'latency (ms)', scale: 'ms', stroke: 'var(--chart-1)', width: 2, points: { show: true, size: 6 }, value: lastPointLegend(formatMs) },
    { label: 'pairs/s', scale: 'rate', stroke: 'var(--chart-2)', width: 2, dash: [6, 4], points: { show: true, size: 6 }, value: lastPointLegend(formatRate) },
  ],
  axes: [
    { label: 'batch', incrs: [1, 2, 5, 10, 20, 50, 100] },
    { label: 'ms', scale: 'ms', size: 55 },
    { label: 'pairs/s', scale: 'rate', side: 1, size: 55, grid: { show: false } },
  ],
  cursor: { drag: { x: false, y: false } },
};

/** Rows the table shows unless the reader asks for all: the latest batches. */
export const LIVE_ROWS = 50;

/** A chart of fewer points says nothing the list beside it does not. */
const CHART_MIN_BATCHES = 3;

const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

/** "12.3 ms" for one value, "4.1, 12.3 ms" for a few, "4.1 / 6.0 / 12.3 ms" with a caption saying which is which. */
function renderSpread(spread: Spread, format: (v: number) => string, unit: string, what: string) {
  const suffix = unit ? ` ${unit}` : '';
  switch (spread.kind) {
    case 'one':
      return html`<strong>${format(spread.value)}${suffix}</strong><span>${what}</span>`;
    case 'list':
      return html`<strong>${spread.values.map(format).join(', ')}${suffix}</strong><span>${what}, in run order</span>`;
    case 'distribution': {
      const d = spread.distribution;
      const parts = d.p95 === undefined ? [d.min, d.median, d.max] : [d.min, d.median, d.p95, d.max];
      return html`<strong>${parts.map(format).join(' / ')}${suffix}</strong>
        <span>${what}: min / median${d.p95 === undefined ? '' : ' / p95'} / max</span>`;
    }
  }
}

/**
 * Per-batch timing as the worker reports it: a summary fitted to the number of batches (one batch: its time; a few:
 * each listed; enough: their distribution), a uPlot chart of latency and throughput per batch once there are enough
 * points, and a live table (batch, pairs, tokens, tokens with padding, padding, ms, pairs/s) that becomes one card per batch
 * on a narrow screen. "ms" is the record's totalMs: tokenizing plus running, timed in the worker. Padding is what ran:
 * a wasm batch run as several tensors of similar lengths pads only within each.
 *
 * @csspart table - the per-batch table
 */
@customElement('batch-timing')
export class BatchTiming extends LitElement {
  static override styles = [
    baseStyles,
    stackTableStyles('34rem'),
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
        overflow-wrap: anywhere;
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
  /** Show every row, not only the latest `LIVE_ROWS` (the reader asked to). */
  @state() private showAll = false;
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
    // Hundreds of rows re-laid out on every update kept the page's main thread busy for 70–100 ms at a time
    // (npm run bench:main-thread): the table shows the latest batches; the summary and the chart cover them all.
    const shown = this.showAll ? records : records.slice(-LIVE_ROWS);
    const hidden = records.length - shown.length;
    return html`
      ${this.renderSummary()}
      ${records.length >= CHART_MIN_BATCHES
        ? html`<uplot-chart label="Latency and pairs per second for each batch" .options=${CHART_OPTIONS} .data=${data} height="200"
            data-testid="timing-chart"></uplot-chart>`
        : nothing}
      <div class="table-wrap">
        <table part="table" class="stack" data-testid="timing-table">
          <caption class="visually-hidden">Per-batch timing</caption>
          <thead>
            <tr>
              <th scope="col">batch</th><th scope="col">pairs</th><th scope="col">tokens</th>
              <th scope="col" title="tokens the model ran, padding included: pairs × longest pair, over the tensors the batch ran as">with padding</th>
              <th scope="col">padding</th><th scope="col">ms</th><th scope="col">pairs/s</th>
            </tr>
          </thead>
          <tbody>
            ${shown.map((r) => html`
              <tr data-testid="timing-row" data-batch=${r.index}>
                <td data-label="batch" class="head">${r.index + 1}</td>
                <td data-label="pairs">${r.pairs === r.ownPairs ? r.pairs : `${r.ownPairs} of ${r.pairs}`}</td>
                <td data-label="tokens">${r.tokens}</td>
                <td data-label="with padding" title=${describeTensors(r)}>${r.paddedTokens}${r.tensors.length > 1 ? ` (${r.tensors.length} tensors)` : ''}</td>
                <td data-label="padding" data-testid="timing-padding">${r.paddedTokens ? percent(1 - r.tokens / r.paddedTokens) : '—'}</td>
                <td data-label="ms" title="tokenize ${formatMs(r.tokenizeMs)} ms + run ${formatMs(r.runMs)} ms">${formatMs(r.totalMs)}</td>
                <td data-label="pairs/s">${formatRate((r.ownPairs * 1000) / r.totalMs)}</td>
              </tr>
              ${r.events?.length ? html`<tr class="event"><td colspan="7" class="wide">${r.events.map(describeBatchEvent).join('; ')}</td></tr>` : nothing}`)}
          </tbody>
        </table>
      </div>
      ${hidden > 0
        ? html`<p class="hint" data-testid="timing-rows-hidden">${plural(hidden, 'earlier batch')} not shown.
            <button type="button" data-testid="timing-show-all" @click=${() => (this.showAll = true)}>Show all ${records.length}</button></p>`
        : nothing}
    `;
  }

  private renderSummary() {
    const s = summarizeBatches(this.records);
    return html`<div class="summary" data-testid="timing-summary">
      <div class="stat"><strong data-testid="timing-total-ms">${formatMs(s.totalMs)} ms</strong><span>total in the worker (${formatMs(s.runMs)} ms running)</span></div>
      <div class="stat"><strong data-testid="timing-pairs-per-second">${formatRate(s.pairsPerSecond)}</strong>
        <span>pairs/s over ${plural(s.pairs, 'pair')} in ${plural(s.batches, 'batch')}</span></div>
      ${this.wallMs !== null
        ? html`<div class="stat"><strong>${formatMs(this.wallMs)} ms</strong><span>end to end, as the page saw it</span></div>`
        : nothing}
      ${s.sizes.kind === 'one'
        ? nothing // one batch: its size and time are the totals above
        : html`<div class="stat" data-testid="timing-sizes">${renderSpread(s.sizes, String, '', 'pairs per batch')}</div>
          <div class="stat" data-testid="timing-latencies">${renderSpread(s.latencies, formatMs, 'ms', 'batch time')}</div>`}
      <div class="stat" data-testid="timing-padding-total"><strong>${s.cells ? percent(s.paddingShare) : '—'}</strong>
        <span>padding: ${s.tokens} real tokens ran as ${s.cells} with padding${s.grouped
          ? `; ${plural(s.grouped, 'batch')} ran as length groups` : ''}</span></div>
    </div>`;
  }
}

/** "ran as 2 pairs × 31 tokens + 6 pairs × 12 tokens": the tensors a batch ran as. */
function describeTensors(r: BatchRecord): string {
  return `ran as ${r.tensors.map((t) => `${t.pairs} pairs × ${t.sequenceLength} tokens`).join(' + ')}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'batch-timing': BatchTiming;
  }
}
