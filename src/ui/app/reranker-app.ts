/** `<reranker-app>`: the app shell: model, input, results and sweep panels sharing one reranker. */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { AppReranker } from './reranker-source.ts';
import type { RerankRequest } from '../rerank/rerank-request.ts';
import { baseStyles } from '../shared/styles.ts';
import '../model/model-panel.ts';
import '../rerank/rerank-input.ts';
import '../rerank/rerank-panel.ts';
import '../sweep/sweep-panel.ts';

/**
 * The page: model, input, results with per-batch timing, and the batch-size sweep. It only wires the panels together:
 * the loaded reranker and the current input go down, and a load, a rerank and a sweep never run at once (a rerank and
 * a sweep would share batches in the worker's queue and spoil each other's timings; a finished load swaps the model).
 */
@customElement('reranker-app')
export class RerankerApp extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        max-width: 1280px;
        margin: 0 auto;
        padding: 1rem;
      }
      header h1 {
        font-size: 1.4rem;
        margin: 0 0 0.25rem;
      }
      header p {
        margin: 0 0 1rem;
        color: var(--muted);
      }
      .grid {
        display: grid;
        grid-template-columns: minmax(0, 5fr) minmax(0, 7fr);
        gap: 1rem;
        align-items: start;
      }
      section {
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 10px;
        padding: 1rem;
        min-width: 0;
      }
      .stack {
        display: grid;
        gap: 1rem;
        min-width: 0;
      }
      .wide {
        grid-column: 1 / -1;
      }
      @media (max-width: 860px) {
        :host {
          padding: 0.5rem;
        }
        .grid {
          grid-template-columns: minmax(0, 1fr);
        }
      }
    `,
  ];

  @state() private reranker: AppReranker | null = null;
  @state() private request: RerankRequest | null = null;
  @state() private reranking = false;
  @state() private sweeping = false;
  @state() private loading = false;

  /** One run at a time holds the model: a load would swap it under a rerank or a sweep, and those two share batches. */
  private blockerFor(panel: 'model' | 'rerank' | 'sweep'): string | null {
    if (panel !== 'model' && this.loading) return 'the model load';
    if (panel !== 'rerank' && this.reranking) return 'the rerank';
    if (panel !== 'sweep' && this.sweeping) return 'the sweep';
    return null;
  }

  override render() {
    return html`
      <header>
        <h1>bge-reranker-v2-m3 in the browser</h1>
        <p>Rerank documents against a query on this device (WebGPU, or wasm). Documents never leave the page.
          <a href="./rag.html">Retrieve-then-rerank example</a></p>
      </header>
      <div class="grid">
        <div class="stack">
          <section aria-label="Model">
            <model-panel .blockedBy=${this.blockerFor('model')}
              @reranker-change=${(e: CustomEvent<{ reranker: AppReranker | null }>) => (this.reranker = e.detail.reranker)}
              @busy-change=${(e: CustomEvent<{ busy: boolean }>) => (this.loading = e.detail.busy)}></model-panel>
          </section>
          <section aria-label="Input">
            <rerank-input @input-change=${(e: CustomEvent<RerankRequest>) => (this.request = e.detail)}></rerank-input>
          </section>
        </div>
        <section aria-label="Results">
          <rerank-panel .reranker=${this.reranker} .request=${this.request} .blockedBy=${this.blockerFor('rerank')}
            @busy-change=${(e: CustomEvent<{ busy: boolean }>) => (this.reranking = e.detail.busy)}></rerank-panel>
        </section>
        <section class="wide" aria-label="Batch-size sweep">
          <sweep-panel .reranker=${this.reranker} .request=${this.request} .blockedBy=${this.blockerFor('sweep')}
            @busy-change=${(e: CustomEvent<{ busy: boolean }>) => (this.sweeping = e.detail.busy)}></sweep-panel>
        </section>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'reranker-app': RerankerApp;
  }
}
