import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { createReranker, type WorkerReranker } from '../index.ts';
import { modelSourceFromAttribute } from '../ui/element/bge-reranker-api.ts';
import { RerankerSlot } from '../ui/shared/reranker-slot.ts';
import { EXAMPLE_QUESTIONS, KNOWLEDGE_BASE } from '../samples/knowledge-base.ts';
import { PassageIndex, retrieveAndRerank, type RagAnswer } from './retrieval.ts';
import { describeError, formatMs } from '../ui/shared/format.ts';
import { baseStyles } from '../ui/shared/styles.ts';
import '../ui/rerank/batch-timing.ts';

const DEMO_MODEL = 'models/tiny-random-bge-reranker/';

/**
 * The seed's knowledge-base case in the browser: BM25 (MiniSearch) retrieves the top 50 passages of a small shipped
 * corpus, the reranker (the library's `createReranker`, in its worker) orders them, and the top 5 are shown with the
 * time of each stage and each batch.
 */
@customElement('rag-demo')
export class RagDemo extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        max-width: 1100px;
        margin: 0 auto;
        padding: 1rem;
      }
      section {
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 10px;
        padding: 1rem;
        margin-bottom: 1rem;
      }
      #question,
      #model {
        width: 100%;
      }
      .model-label {
        margin-top: 0.5rem;
      }
      ol.top > li {
        margin: 0.5rem 0;
        overflow-wrap: anywhere;
      }
      .meta {
        color: var(--muted);
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      .stages {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
    `,
  ];

  @state() private question = EXAMPLE_QUESTIONS[0];
  @state() private model = DEMO_MODEL;
  @state() private status = 'Ready to search: the model loads on the first question.';
  @state() private answer: RagAnswer | null = null;
  @state() private error: string | null = null;
  @state() private busy = false;

  private readonly index = new PassageIndex(KNOWLEDGE_BASE);
  private readonly rerankers = new RerankerSlot<WorkerReranker>();

  /** The reranker for the model field; a model loaded before stays (and is used again) until a new one is ready. */
  private load(): Promise<WorkerReranker> {
    return this.rerankers.get(this.model, (signal) => {
      this.status = 'Loading the model…';
      return createReranker({ model: modelSourceFromAttribute(this.model, document.baseURI), signal });
    });
  }

  private async ask(): Promise<void> {
    if (this.busy || !this.question.trim()) return;
    this.busy = true;
    this.error = null;
    try {
      const reranker = await this.load();
      this.status = 'Retrieving and reranking…';
      this.answer = await retrieveAndRerank(this.index, reranker, this.question, { candidates: 50, topK: 5 });
      const a = this.answer;
      this.status = a.retrieved.length
        ? `BM25 found ${a.retrieved.length} of ${KNOWLEDGE_BASE.length} passages in ${formatMs(a.retrieveMs)} ms; ` +
          `the reranker ordered them in ${formatMs(a.rerankMs)} ms (${reranker.info.backend} / ${reranker.info.dtype}).`
        : 'No passage shares a word with the question.';
    } catch (error) {
      this.error = describeError(error);
      const kept = this.rerankers.currentKey;
      this.status = kept !== null && kept !== this.model
        ? `Failed. The model loaded before (${kept}) is still loaded: put it back in the model field to use it.`
        : 'Failed.';
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const a = this.answer;
    return html`
      <h1>Retrieve, then rerank</h1>
      <p class="hint">BM25 over a ${KNOWLEDGE_BASE.length}-passage knowledge base picks 50 candidates; bge-reranker-v2-m3 keeps the best 5.
        The bundled demo model has random weights, so its order shows the pipeline, not real relevance:
        point it at a copy of the real model for real answers. <a href="./">Back to the reranker app</a>.</p>
      <section>
        <label for="question">Question</label>
        <input id="question" type="text" list="examples" data-testid="rag-question" .value=${this.question}
          @input=${(e: Event) => (this.question = (e.target as HTMLInputElement).value)}
          @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && void this.ask()} />
        <datalist id="examples">${EXAMPLE_QUESTIONS.map((q) => html`<option value=${q}></option>`)}</datalist>
        <label for="model" class="model-label">Model (URL of a model folder, or a hub id)</label>
        <input id="model" type="text" spellcheck="false" data-testid="rag-model" .value=${this.model}
          @input=${(e: Event) => (this.model = (e.target as HTMLInputElement).value)} />
        <div class="actions">
          <button class="primary" data-testid="rag-ask" ?disabled=${this.busy} @click=${() => this.ask()}>Search and rerank</button>
          <span role="status" data-testid="rag-status">${this.status}</span>
        </div>
        ${this.error ? html`<p class="error" role="alert" data-testid="rag-error">${this.error}</p>` : nothing}
      </section>
      ${a && a.top.length ? this.renderAnswer(a) : nothing}
    `;
  }

  private renderAnswer(a: RagAnswer) {
    return html`
      <section>
        <h2>Top ${a.top.length}</h2>
        <div class="stages" data-testid="rag-timings">
          <span>retrieval <strong data-testid="rag-retrieve-ms">${formatMs(a.retrieveMs)}</strong> ms</span>
          <span>rerank <strong data-testid="rag-rerank-ms">${formatMs(a.rerankMs)}</strong> ms</span>
          <span>${a.retrieved.length} candidates in ${a.batches.length} batch${a.batches.length === 1 ? '' : 'es'}</span>
        </div>
        <ol class="top" data-testid="rag-top">
          ${a.top.map((t) => html`<li data-testid="rag-hit" data-passage=${t.passage.id} data-bm25-rank=${t.bm25Rank} data-score=${t.score}>
            <div class="meta">score ${t.score.toFixed(4)} · BM25 rank ${t.bm25Rank + 1} · passage ${t.passage.id} (${t.passage.topic})${t.truncated ? ' · truncated' : ''}</div>
            <div>${t.passage.text}</div>
          </li>`)}
        </ol>
      </section>
      <section>
        <h2>Per-batch timing</h2>
        <batch-timing .records=${a.batches} .wallMs=${a.rerankMs}></batch-timing>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rag-demo': RagDemo;
  }
}
