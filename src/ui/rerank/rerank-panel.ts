/** `<rerank-panel>`: the Rerank action over RerankController, its status and the results it produced. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import { RerankController } from './rerank-controller.ts';
import type { AppReranker } from '../app/reranker-source.ts';
import type { RerankRequest } from './rerank-request.ts';
import { describeError, formatMs, isAbort, plural, taskStateKey, type TaskStateKey } from '../shared/format.ts';
import { rerankInputProblem, staleReason } from './rerank-state.ts';
import { baseStyles } from '../shared/styles.ts';
import './rerank-results.ts';
import './batch-timing.ts';

export interface BusyDetail {
  busy: boolean;
}

/**
 * Runs a rerank of the current input on the loaded model, with cancel; shows the ranking and the per-batch timing.
 * Rendered by state: beside a disabled Rerank, why; results and errors of another model or input than the one on
 * screen are marked stale (errors of an earlier input are dropped); a generated demo model's results say their scores
 * mean nothing.
 *
 * @fires busy-change - `detail.busy` while a rerank runs (the sweep waits: concurrent calls would share batches)
 * @csspart run - the rerank button
 */
@customElement('rerank-panel')
export class RerankPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .blocked {
        color: var(--warn-text);
      }
      .stale rerank-results,
      .stale batch-timing {
        opacity: 0.5;
      }
    `,
  ];

  @property({ attribute: false }) reranker: AppReranker | null = null;
  @property({ attribute: false }) request: RerankRequest | null = null;
  /** What holds the model now ("the sweep", "the model load"): this waits for it. */
  @property({ attribute: false }) blockedBy: string | null = null;

  private readonly rerank = new RerankController(this);
  private wasBusy = false;

  /** Why Rerank cannot run now, in the user's words; null when it can. */
  private blocker(): string | null {
    if (this.blockedBy) return `Waiting for ${this.blockedBy} to finish.`;
    if (!this.reranker) return 'Load a model first (the Load button in the Model panel).';
    return rerankInputProblem(this.request);
  }

  /** Why the last run's results (or error) no longer answer the model and input on screen; null while they do. */
  private stale(): string | null {
    const ran = this.rerank.lastRun;
    return ran ? staleReason(ran, { reranker: this.reranker, request: this.request }) : null;
  }

  private start(): void {
    if (this.blocker() !== null) return;
    void this.rerank.run(this.reranker!, this.request!);
  }

  protected override updated(): void {
    if (this.rerank.pending !== this.wasBusy) {
      this.wasBusy = this.rerank.pending;
      this.dispatchEvent(new CustomEvent<BusyDetail>('busy-change', { detail: { busy: this.wasBusy }, bubbles: true, composed: true }));
    }
  }

  override render() {
    const running = this.rerank.pending;
    const blocker = this.blocker();
    const stale = running ? null : this.stale();
    const outcome = this.rerank.status === TaskStatus.COMPLETE ? this.rerank.value : undefined;
    const generated = outcome && this.rerank.lastRun?.reranker.info.generated;
    return html`
      <h2>Results</h2>
      <div class="actions">
        <button class="primary" part="run" data-testid="rerank-button" ?disabled=${running || blocker !== null} @click=${this.start}>Rerank</button>
        ${running ? html`<button data-testid="cancel-rerank-button" @click=${() => this.rerank.cancel()}>Cancel</button>` : nothing}
        ${blocker && !running ? html`<span class="blocked" data-testid="rerank-blocked">${blocker}</span>` : nothing}
        <span role="status" data-testid="rerank-status" data-status=${this.statusKey()}>${this.statusText(blocker)}</span>
      </div>
      ${this.rerank.status === TaskStatus.ERROR && !isAbort(this.rerank.error) && !stale
        ? html`<p class="error" role="alert" data-testid="rerank-error">${describeError(this.rerank.error)}</p>`
        : nothing}
      <div class=${stale ? 'stale' : ''} data-testid="results" data-stale=${stale !== null && outcome !== undefined}>
        ${stale && outcome
          ? html`<p class="banner info" data-testid="results-stale">These results are out of date: ${stale} since they were ranked.
              Rerank to update them.</p>`
          : nothing}
        ${generated
          ? html`<p class="banner warn" role="note" data-testid="results-generated"><strong>Generated demo weights: scores are not
              meaningful.</strong> The demo model has random weights: this ranking shows the app working, not relevance.</p>`
          : nothing}
        ${outcome
          ? html`<rerank-results .results=${outcome.results} .documents=${outcome.request.documents}
              .relevant=${outcome.request.relevant}></rerank-results>`
          : nothing}
        <h3>Per-batch timing</h3>
        <batch-timing .records=${this.rerank.records} .wallMs=${outcome?.wallMs ?? null}></batch-timing>
      </div>
    `;
  }

  private statusKey(): TaskStateKey {
    return taskStateKey(this.rerank.status, this.rerank.error);
  }

  private statusText(blocker: string | null): string {
    const records = this.rerank.records;
    switch (this.statusKey()) {
      case 'running': {
        const last = records.at(-1);
        return last ? `Scoring… ${last.done} / ${last.total} pairs` : 'Scoring…';
      }
      case 'done': {
        const outcome = this.rerank.value!;
        // Beside a reason the button is disabled, the run's outcome is the last one, not the state of the input now.
        return `${blocker ? 'Last run: ranked' : 'Ranked'} ${plural(outcome.results.length, 'document')} in ${formatMs(outcome.wallMs)} ms.`;
      }
      case 'cancelled':
        return 'Cancelled.';
      case 'error':
        return 'Rerank failed.';
      default:
        return blocker ? '' : 'Ready.';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rerank-panel': RerankPanel;
  }
  interface HTMLElementEventMap {
    'busy-change': CustomEvent<BusyDetail>;
  }
}
