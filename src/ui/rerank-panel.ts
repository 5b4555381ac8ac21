import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import { RerankController } from './rerank-controller.ts';
import type { AppReranker } from './reranker-source.ts';
import type { RerankRequest } from './rerank-request.ts';
import { describeError, formatMs, isAbort, plural, taskStateKey, type TaskStateKey } from './format.ts';
import { baseStyles } from './styles.ts';
import './rerank-results.ts';
import './batch-timing.ts';

export interface BusyDetail {
  busy: boolean;
}

/**
 * Runs a rerank of the current input on the loaded model, with cancel; shows the ranking and the per-batch timing.
 *
 * @fires busy-change - `detail.busy` while a rerank runs (the sweep waits: concurrent calls would share batches)
 * @csspart run - the rerank button
 */
@customElement('rerank-panel')
export class RerankPanel extends LitElement {
  static override styles = [baseStyles];

  @property({ attribute: false }) reranker: AppReranker | null = null;
  @property({ attribute: false }) request: RerankRequest | null = null;
  /** What holds the model now ("the sweep", "the model load"): this waits for it. */
  @property({ attribute: false }) blockedBy: string | null = null;

  private readonly rerank = new RerankController(this);
  private wasBusy = false;

  private blocker(): string | null {
    if (this.blockedBy) return `Waiting for ${this.blockedBy} to finish.`;
    if (!this.reranker) return 'Load a model first.';
    const r = this.request;
    if (!r || r.query.trim() === '') return 'Enter a query.';
    if (r.documents.length === 0) return 'Enter at least one document.';
    if (!Number.isInteger(r.batchSize) || r.batchSize < 1) return 'Batch size must be a whole number ≥ 1.';
    if (r.batching === 'tokens' && (!Number.isInteger(r.maxBatchTokens) || r.maxBatchTokens < 1)) return 'Max batch tokens must be a whole number ≥ 1.';
    return null;
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
    const outcome = this.rerank.status === TaskStatus.COMPLETE ? this.rerank.value : undefined;
    return html`
      <h2>Results</h2>
      <div class="actions">
        <button class="primary" part="run" data-testid="rerank-button" ?disabled=${running || blocker !== null} @click=${this.start}>Rerank</button>
        ${running ? html`<button data-testid="cancel-rerank-button" @click=${() => this.rerank.cancel()}>Cancel</button>` : nothing}
        <span role="status" data-testid="rerank-status" data-status=${this.statusKey()}>${this.statusText(blocker)}</span>
      </div>
      ${this.rerank.status === TaskStatus.ERROR && !isAbort(this.rerank.error)
        ? html`<p class="error" role="alert" data-testid="rerank-error">${describeError(this.rerank.error)}</p>`
        : nothing}
      ${outcome
        ? html`<rerank-results .results=${outcome.results} .documents=${outcome.request.documents}
            .relevant=${outcome.request.relevant}></rerank-results>`
        : nothing}
      <h3>Per-batch timing</h3>
      <batch-timing .records=${this.rerank.records} .wallMs=${outcome?.wallMs ?? null}></batch-timing>
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
        return `Ranked ${plural(outcome.results.length, 'document')} in ${formatMs(outcome.wallMs)} ms.`;
      }
      case 'cancelled':
        return 'Cancelled.';
      case 'error':
        return 'Rerank failed.';
      default:
        return blocker ?? 'Ready.';
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
