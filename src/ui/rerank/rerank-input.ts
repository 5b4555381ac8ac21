/** `<rerank-input>`: the query, documents and batching options, with samples and the reasons a run cannot start. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_TOKENS } from '../../lib/batching/batching.ts';
import type { BatchingMode } from '../../lib/types.ts';
import { MAX_BATCH_SIZE } from '../../lib/runtime/reranker.ts';
import { parseDocuments, type ParsedDocuments } from './parse-input.ts';
import { describeLimits } from './rerank-state.ts';
import type { RerankRequest } from './rerank-request.ts';
import { DEFAULT_SAMPLE_ID, SAMPLES, sampleGroups } from '../app/samples.ts';
import { baseStyles } from '../shared/styles.ts';

const FORMAT_LABEL: Record<ParsedDocuments['format'], string> = {
  lines: 'one per line',
  'json-array': 'JSON array',
  'json-object': 'JSON { query, documents }',
};

/**
 * The query, the documents (one per line, or pasted JSON: an array of strings or `{ query, documents }`, detected
 * automatically), sample sets, and the batching settings. The text stays in this page.
 *
 * @fires input-change - `detail` is the current `RerankRequest`, on every edit and once after the first render
 * @csspart documents - the documents textarea
 */
@customElement('rerank-input')
export class RerankInput extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .field + .field {
        margin-top: 0.6rem;
      }
      select#sample {
        width: 100%;
      }
      #query {
        width: 100%;
      }
      textarea {
        min-height: 12rem;
        font-size: 0.9rem;
      }
      input[type='number'] {
        width: 7rem;
      }
      .detected {
        margin-top: 0.25rem;
      }
    `,
  ];

  @state() private sample: string | null = DEFAULT_SAMPLE_ID;
  @state() private query = '';
  @state() private text = '';
  @state() private batchSize = DEFAULT_BATCH_SIZE;
  @state() private batching: BatchingMode = 'tokens';
  @state() private maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;

  constructor() {
    super();
    this.applySample(DEFAULT_SAMPLE_ID);
  }

  /** The request as the rest of the app sees it. */
  get request(): RerankRequest {
    const parsed = parseDocuments(this.text);
    const sample = SAMPLES.find((s) => s.id === this.sample);
    return {
      query: this.query,
      documents: parsed.documents,
      format: parsed.format,
      batchSize: this.batchSize,
      batching: this.batching,
      maxBatchTokens: this.maxBatchTokens,
      sample: sample?.label ?? null,
      relevant: sample?.relevant ?? [],
    };
  }

  /** A sample fills the query and the documents; "Your own text" empties both, for the user's own. */
  private applySample(id: string): void {
    const sample = SAMPLES.find((s) => s.id === id);
    this.sample = sample ? id : null;
    this.query = sample?.query ?? '';
    this.text = sample?.documents.join('\n') ?? '';
  }

  /** Every update comes from an edit (or the first render), so every update is worth telling. */
  protected override updated(): void {
    this.emit();
  }

  private emit(): void {
    this.dispatchEvent(new CustomEvent<RerankRequest>('input-change', { detail: this.request, bubbles: true, composed: true }));
  }

  private onDocuments(e: Event): void {
    this.text = (e.target as HTMLTextAreaElement).value;
    this.sample = null;
    const parsed = parseDocuments(this.text);
    if (parsed.query !== undefined) this.query = parsed.query;
  }

  override render() {
    const parsed = parseDocuments(this.text);
    const sample = SAMPLES.find((s) => s.id === this.sample);
    return html`
      <h2>Input</h2>
      <div class="field">
        <label for="sample">Sample</label>
        <select id="sample" data-testid="sample-select" @change=${(e: Event) => this.applySample((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${this.sample === null}>Your own text</option>
          ${sampleGroups().map(([group, samples]) => html`<optgroup label=${group}>
            ${samples.map((s) => html`<option value=${s.id} ?selected=${s.id === this.sample}>${s.label}</option>`)}
          </optgroup>`)}
        </select>
        <p class="hint" data-testid="sample-description">${sample?.description ?? 'Your own query and documents: type or paste them below.'}</p>
      </div>
      <div class="field">
        <label for="query">Query</label>
        <input id="query" type="text" data-testid="query-input" .value=${this.query}
          @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value; this.sample = null; }} />
      </div>
      <div class="field">
        <label for="documents">Documents</label>
        <textarea id="documents" part="documents" data-testid="documents-input" spellcheck="false" aria-describedby="detected"
          .value=${this.text} @input=${this.onDocuments}></textarea>
        <p class="hint detected" id="detected" data-testid="documents-detected">
          ${parsed.documents.length} document${parsed.documents.length === 1 ? '' : 's'} (${FORMAT_LABEL[parsed.format]})${parsed.query !== undefined ? '; query taken from the JSON' : ''}.
          One per line, or paste JSON: ["doc", …] or {"query": "…", "documents": […]}. ${describeLimits()}
          ${parsed.note ? html`<br /><span class="error">${parsed.note}</span>` : nothing}
        </p>
      </div>
      <fieldset>
        <legend>Batching</legend>
        <div class="row">
          <div class="field">
            <label for="batching">Mode</label>
            <select id="batching" data-testid="batching-select"
              @change=${(e: Event) => (this.batching = (e.target as HTMLSelectElement).value as BatchingMode)}>
              <option value="tokens" ?selected=${this.batching === 'tokens'}>tokens (sort by length, pack)</option>
              <option value="fixed" ?selected=${this.batching === 'fixed'}>fixed (input order)</option>
            </select>
          </div>
          <div class="field">
            <label for="batch-size">Batch size</label>
            <input id="batch-size" type="number" min="1" max=${MAX_BATCH_SIZE} step="1" data-testid="batch-size-input" .value=${String(this.batchSize)}
              @input=${(e: Event) => (this.batchSize = (e.target as HTMLInputElement).valueAsNumber)} />
          </div>
          <div class="field">
            <label for="max-batch-tokens">Max batch tokens</label>
            <input id="max-batch-tokens" type="number" min="1" step="256" data-testid="max-batch-tokens-input"
              ?disabled=${this.batching !== 'tokens'} .value=${String(this.maxBatchTokens)}
              @input=${(e: Event) => (this.maxBatchTokens = (e.target as HTMLInputElement).valueAsNumber)} />
          </div>
        </div>
        <p class="hint">${this.batching === 'tokens'
          ? 'Pairs are sorted by length and packed up to the token budget (pairs × longest pair), at most batch size pairs each: less padding.'
          : 'Pairs run in input order, exactly batch size at a time: simple, but short pairs are padded to the longest in their batch.'}</p>
      </fieldset>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rerank-input': RerankInput;
  }
  interface HTMLElementEventMap {
    'input-change': CustomEvent<RerankRequest>;
  }
}
