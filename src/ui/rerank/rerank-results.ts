/** `<rerank-results>`: the ranked documents, rendered as text, with scores and stale marking. */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RerankResult } from '../../lib/types.ts';
import { cssProperties } from './css-properties.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * The ranking: rank, the document's input index, its score as a bar, a "truncated" marker, and the document as text
 * (a text binding: documents are user data and never parsed as HTML).
 *
 * @csspart item - one result
 * @csspart bar - a score bar
 */
/** Results shown before the reader asks for all of them. */
export const RESULTS_SHOWN = 100;

@customElement('rerank-results')
export class RerankResults extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li,
      .columns {
        display: grid;
        grid-template-columns: 2.5rem 3.5rem minmax(6rem, 12rem) minmax(0, 1fr);
        gap: 0.25rem 0.75rem;
        align-items: start;
        padding: 0.45rem 0;
        border-bottom: 1px solid var(--border);
      }
      .columns {
        font-size: 0.75rem;
        color: var(--muted);
        border-bottom: 1px solid var(--border);
        padding-bottom: 0.2rem;
      }
      .rank {
        font-weight: 700;
        font-size: 1.05rem;
      }
      .index {
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .score {
        display: grid;
        gap: 0.15rem;
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
      }
      .track {
        height: 0.55rem;
        background: var(--surface-2);
        border-radius: 3px;
        overflow: hidden;
      }
      .bar {
        height: 100%;
        background: var(--accent);
      }
      .doc {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 8.5rem;
        overflow: auto;
      }
      .tag {
        display: inline-block;
        font-size: 0.75rem;
        border-radius: 4px;
        padding: 0 0.35rem;
        margin-right: 0.35rem;
        border: 1px solid;
      }
      .tag.truncated {
        color: var(--warn-text);
        border-color: var(--warn-border);
        background: var(--warn-bg);
      }
      .tag.relevant {
        color: var(--ok-text);
        border-color: var(--ok-border);
        background: var(--ok-bg);
      }
      @media (max-width: 700px) {
        li,
        .columns {
          grid-template-columns: 2rem 3rem minmax(0, 1fr);
        }
        .doc {
          grid-column: 1 / -1;
        }
        .columns .doc {
          display: none;
        }
      }
    `,
  ];

  @property({ attribute: false }) results: readonly RerankResult[] = [];
  /** The documents the results index into. */
  @property({ attribute: false }) documents: readonly string[] = [];
  /** Indices the sample marks as relevant. */
  @property({ attribute: false }) relevant: readonly number[] = [];
  /** Every result shown, not only the first `RESULTS_SHOWN` (the reader asked to). */
  @state() private showAll = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('results')) this.showAll = false;
  }

  override render() {
    const relevant = new Set(this.relevant);
    // Hundreds of result rows laid out at once made a 70–100 ms task on the page (npm run bench:main-thread).
    const shown = this.showAll ? this.results : this.results.slice(0, RESULTS_SHOWN);
    const hidden = this.results.length - shown.length;
    // The column names, once above the list: "#3" alone did not say it is the document's place in the input.
    return html`<div class="columns" aria-hidden="true" data-testid="results-columns"><span>rank</span><span>input #</span>
      <span>score</span><span class="doc">document</span></div>
    <ol aria-label="Ranked documents" data-testid="results-list">
      ${shown.map(
        (r, rank) => html`<li part="item" data-testid="result-item" data-index=${r.index} data-score=${r.score}>
          <span class="rank" aria-label="rank">${rank + 1}</span>
          <span class="index" title="its place in the input, counting from 0" aria-label="input #${r.index}">#${r.index}</span>
          <span class="score">
            <span>${r.score.toFixed(4)}</span>
            <span class="track" aria-hidden="true">
              <span class="bar" part="bar" ${cssProperties({ width: `${Math.max(0, Math.min(1, r.score)) * 100}%`, display: 'block' })}></span>
            </span>
          </span>
          <span class="doc">${r.truncated ? html`<span class="tag truncated" data-testid="truncated">truncated</span>` : nothing}${relevant.has(r.index)
            ? html`<span class="tag relevant" title="the sample marks this document as relevant">relevant</span>`
            : nothing}${this.documents[r.index] ?? ''}</span>
        </li>`,
      )}
    </ol>
    ${hidden > 0
      ? html`<p class="hint" data-testid="results-hidden">${hidden} more below rank ${shown.length}.
          <button type="button" data-testid="results-show-all" @click=${() => (this.showAll = true)}>Show all ${this.results.length}</button></p>`
      : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rerank-results': RerankResults;
  }
}
