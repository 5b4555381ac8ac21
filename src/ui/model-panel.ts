import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import { DEFAULT_HUB_HOST } from '../lib/cache.ts';
import { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH, MIN_MAX_LENGTH } from '../lib/pairs.ts';
import { DEFAULT_MODEL_ID, type DeviceRequest, type DtypeRequest, type ModelSource } from '../lib/types.ts';
import { ModelController } from './model-controller.ts';
import { pickKnownModel } from './known-model-choice.ts';
import type { AppReranker } from './reranker-source.ts';
import { describeError, formatBytes, isAbort } from './format.ts';
import { baseStyles } from './styles.ts';
import type { KnownModelPickDetail } from './known-model-picker.ts';
import './known-model-picker.ts';
import './load-progress.ts';
import './model-info.ts';
import './model-cache.ts';

type SourceKind = 'demo' | 'hub' | 'url' | 'files';

/** The bundled demo models under public/ (served at the site root): relative paths, so any base path works. */
export const DEMO_MODELS = {
  xlmr: { path: 'models/tiny-random-bge-reranker/', label: 'XLM-R (as bge-reranker)' },
  bert: { path: 'models/tiny-random-bert-reranker/', label: 'BERT (as ms-marco-MiniLM)' },
} as const;
type DemoModel = keyof typeof DEMO_MODELS;

export interface RerankerChangeDetail {
  reranker: AppReranker | null;
}

/** Files from a file input, keyed by their path inside the model folder (the core strips one top-level folder). */
function filesByPath(list: FileList | null): Record<string, File> {
  const files: Record<string, File> = {};
  for (const file of Array.from(list ?? [])) {
    // Picked one by one, an .onnx file has no folder: put it where the model layout expects it.
    const path = file.webkitRelativePath || (/\.onnx(_data(_\d+)?)?$/.test(file.name) ? `onnx/${file.name}` : file.name);
    files[path] = file;
  }
  return files;
}

/**
 * Chooses a model source (the demo, a hub id typed or picked from the known models, a URL, files), dtype, device and
 * max length; loads it with per-file byte progress and cancel; shows what loaded, and follows it when it changes (wasm
 * after a lost GPU device). The loaded model stays in use while another loads and when that load fails. The bundled demo model is the default (the only source that works offline).
 *
 * @fires reranker-change - `detail.reranker` is the newly loaded reranker, or null while none is usable
 * @fires busy-change - `detail.busy` while a load runs (a rerank or sweep waits: the model may be swapped under it)
 * @csspart load - the load button
 */
@customElement('model-panel')
export class ModelPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .sources {
        display: grid;
        gap: 0.5rem;
      }
      .source {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        gap: 0.1rem 0.5rem;
        align-items: start;
      }
      .source > input[type='radio'] {
        margin-top: 0.3rem;
      }
      .source label {
        margin: 0;
      }
      .source .detail {
        grid-column: 2;
        display: grid;
        /* minmax(0, …): a file input's intrinsic width must not widen the column past a narrow screen. */
        grid-template-columns: minmax(0, 1fr);
        gap: 0.25rem;
        min-width: 0;
      }
      .source input[type='text'],
      .source input[type='url'] {
        width: 100%;
      }
      .recommended {
        font-weight: 400;
        color: var(--accent-text);
      }
      input[type='number'] {
        width: 6.5rem;
      }
    `,
  ];

  @state() private source: SourceKind = 'demo';
  @state() private demo: DemoModel = 'xlmr';
  @state() private hubId = DEFAULT_MODEL_ID;
  @state() private url = '';
  @state() private files: Record<string, File> = {};
  @state() private dtype: DtypeRequest = 'auto';
  @state() private device: DeviceRequest = 'auto';
  @state() private maxLength = DEFAULT_MAX_LENGTH;
  /** What holds the model now (a rerank, a sweep): loading another would swap it under that run. */
  @property({ attribute: false }) blockedBy: string | null = null;

  /** Bumped whenever the loaded model changes: the cache listing re-reads then. */
  @state() private loads = 0;

  private readonly model = new ModelController(this, (reranker) => {
    this.loads++;
    this.dispatchEvent(new CustomEvent<RerankerChangeDetail>('reranker-change', { detail: { reranker }, bubbles: true, composed: true }));
  });

  private readonly hasWebGpu = typeof navigator !== 'undefined' && 'gpu' in navigator;
  private wasBusy = false;

  protected override updated(): void {
    if (this.model.pending !== this.wasBusy) {
      this.wasBusy = this.model.pending;
      this.dispatchEvent(new CustomEvent('busy-change', { detail: { busy: this.wasBusy }, bubbles: true, composed: true }));
    }
  }

  private modelSource(): ModelSource | null {
    switch (this.source) {
      case 'demo':
        return { url: new URL(DEMO_MODELS[this.demo].path, document.baseURI).href };
      case 'hub':
        return this.hubId.trim() || null;
      case 'url':
        return this.url.trim() ? { url: new URL(this.url.trim(), document.baseURI).href } : null;
      case 'files':
        return Object.keys(this.files).length ? { files: this.files } : null;
    }
  }

  private load(): void {
    const model = this.modelSource();
    if (!model || this.blockedBy) return;
    this.model.run({ model, dtype: this.dtype, device: this.device, maxLength: this.maxLength });
  }

  override render() {
    const loading = this.model.pending;
    const ready = this.modelSource() !== null && Number.isInteger(this.maxLength);
    return html`
      <h2>Model</h2>
      ${this.hasWebGpu ? nothing : html`<p class="banner info" data-testid="no-webgpu">No WebGPU in this browser: running on wasm.</p>`}
      <fieldset ?disabled=${loading}>
        <legend>Source</legend>
        <div class="sources">${this.renderSources()}</div>
      </fieldset>
      <fieldset ?disabled=${loading}>
        <legend>Runtime</legend>
        <div class="row">
          <div class="field">
            <label for="dtype">Dtype</label>
            <select id="dtype" data-testid="dtype-select" .value=${this.dtype}
              @change=${(e: Event) => (this.dtype = (e.target as HTMLSelectElement).value as DtypeRequest)}>
              ${(['auto', 'fp16', 'q8', 'q4', 'fp32'] as const).map((d) => html`<option value=${d} ?selected=${d === this.dtype}>${d}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="device">Device</label>
            <select id="device" data-testid="device-select" .value=${this.device}
              @change=${(e: Event) => (this.device = (e.target as HTMLSelectElement).value as DeviceRequest)}>
              ${(['auto', 'webgpu', 'wasm'] as const).map((d) => html`<option value=${d} ?selected=${d === this.device}>${d}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="max-length">Max length</label>
            <input id="max-length" type="number" min=${MIN_MAX_LENGTH} max=${MAX_MAX_LENGTH} step="1" .value=${String(this.maxLength)}
              @input=${(e: Event) => (this.maxLength = (e.target as HTMLInputElement).valueAsNumber)} />
          </div>
        </div>
        <p class="hint">Tokens per (query, document) pair. auto picks WebGPU when an adapter exists, else wasm, and the dtype that backend runs best.</p>
      </fieldset>
      <div class="actions">
        <button class="primary" part="load" data-testid="load-button" ?disabled=${loading || !ready || this.blockedBy !== null} @click=${this.load}>
          ${this.model.reranker ? 'Reload model' : 'Load model'}
        </button>
        ${loading ? html`<button data-testid="cancel-load-button" @click=${() => this.model.cancel()}>Cancel</button>` : nothing}
        <span role="status" data-testid="model-status" data-status=${this.statusKey()}>${this.statusText()}</span>
      </div>
      ${loading ? html`<load-progress .files=${[...this.model.files.values()]} .overall=${this.model.overall}></load-progress>` : nothing}
      ${this.model.status === TaskStatus.ERROR && !isAbort(this.model.error)
        ? html`<p class="error" role="alert" data-testid="model-error">${describeError(this.model.error)}</p>`
        : nothing}
      ${this.model.reranker && loading
        ? html`<p class="hint" data-testid="model-kept">Until the new model is ready, the loaded one stays in use: ${this.describeLoaded()}.</p>`
        : nothing}
      <model-info .info=${this.model.info}></model-info>
      <model-cache .revision=${this.loads} ?busy=${loading}></model-cache>
    `;
  }

  /**
   * 'loading' while a load runs; after a failed or cancelled load 'error' or 'cancelled' (the model loaded before, if
   * any, is still in use: the text says so); else 'ready' or 'idle'.
   */
  private statusKey(): string {
    if (this.model.pending) return 'loading';
    if (this.model.status === TaskStatus.ERROR) return isAbort(this.model.error) ? 'cancelled' : 'error';
    return this.model.reranker ? 'ready' : 'idle';
  }

  private statusText(): string {
    const kept = this.model.reranker ? ` Still using ${this.describeLoaded()}.` : ' No model loaded.';
    switch (this.statusKey()) {
      case 'loading':
        return 'Loading…';
      case 'ready':
        return `Ready: ${this.describeLoaded()}${this.blockedBy ? `. Loading another waits for ${this.blockedBy} to finish.` : ''}`;
      case 'cancelled':
        return `Loading cancelled.${kept}`;
      case 'error':
        return `Loading failed.${kept}`;
      default:
        return 'No model loaded.';
    }
  }

  /** "wasm / q8 (tiny-random-bge-reranker)": the loaded model as of now (its backend changes after a lost GPU). */
  private describeLoaded(): string {
    const info = this.model.info;
    if (!info) return 'no model';
    // A folder URL is long: its last segment names the model.
    const name = /^[a-z]+:/i.test(info.modelId) ? info.modelId.split('/').filter(Boolean).at(-1) ?? info.modelId : info.modelId;
    return `${info.backend} / ${info.dtype} (${name})`;
  }

  private renderSources() {
    const radio = (kind: SourceKind, label: string, extra: unknown = nothing, detail: unknown = nothing) => html`
      <div class="source">
        <input type="radio" name="source" id="source-${kind}" value=${kind} data-testid="source-${kind}"
          .checked=${this.source === kind} @change=${() => (this.source = kind)} />
        <label for="source-${kind}">${label} ${extra}</label>
        ${detail === nothing ? nothing : html`<div class="detail">${detail}</div>`}
      </div>`;
    const fileCount = Object.keys(this.files).length;
    const fileBytes = Object.values(this.files).reduce((n, f) => n + f.size, 0);
    return html`
      ${radio('demo', 'Bundled demo model', html`<span class="recommended">(works offline)</span>`,
        html`<label class="visually-hidden" for="demo-model">Demo model architecture</label>
          <select id="demo-model" data-testid="demo-model" @change=${(e: Event) => {
            this.demo = (e.target as HTMLSelectElement).value as DemoModel;
            this.source = 'demo';
          }}>${Object.entries(DEMO_MODELS).map(([key, m]) => html`<option value=${key} ?selected=${this.demo === key}>${m.label}</option>`)}</select>
          <span class="hint">A 2-layer model with generated weights, about 2 MB, served with this page.</span>`)}
      ${radio('hub', 'Hugging Face hub', html`<span class="recommended">(the real bge-reranker-v2-m3, or a lighter model)</span>`, html`
        <label class="visually-hidden" for="hub-id">Hub model id</label>
        <input id="hub-id" type="text" spellcheck="false" data-testid="hub-id" .value=${this.hubId}
          @input=${(e: Event) => this.typeSource('hub', (e.target as HTMLInputElement).value)} />
        <span class="hint">Any hub id in transformers.js' layout works. Downloads from ${new URL(DEFAULT_HUB_HOST).host} on Load, then reads it from the browser cache.</span>
        <known-model-picker .value=${this.hubId} .dtype=${this.dtype} .device=${this.device} ?webgpu=${this.hasWebGpu}
          ?disabled=${this.model.pending} @known-model-pick=${this.pickKnown}></known-model-picker>`)}
      ${radio('url', 'Self-hosted base URL', nothing, html`
        <label class="visually-hidden" for="model-url">Base URL of the model folder</label>
        <input id="model-url" type="url" spellcheck="false" placeholder="https://example.org/models/bge-reranker-v2-m3/"
          data-testid="model-url" .value=${this.url}
          @input=${(e: Event) => this.typeSource('url', (e.target as HTMLInputElement).value)} />
        <span class="hint">Same layout as the hub: config.json, tokenizer.json, tokenizer_config.json, onnx/….</span>`)}
      ${radio('files', 'Local folder or files', nothing, html`
        <div class="row">
          <div class="field">
            <label for="model-folder">Folder</label>
            <input id="model-folder" type="file" webkitdirectory multiple data-testid="model-folder"
              @change=${(e: Event) => this.pickFiles(e)} />
          </div>
          <div class="field">
            <label for="model-files">Files</label>
            <input id="model-files" type="file" multiple data-testid="model-files" @change=${(e: Event) => this.pickFiles(e)} />
          </div>
        </div>
        <span class="hint" data-testid="picked-files">${fileCount
          ? `${fileCount} file${fileCount === 1 ? '' : 's'}, ${formatBytes(fileBytes)}: ${Object.keys(this.files).slice(0, 6).join(', ')}${fileCount > 6 ? ', …' : ''}`
          : 'Nothing picked. Files stay on this device.'}</span>`)}
    `;
  }

  /**
   * Typing in a source's field selects that source. Focus alone does not: tabbing through the form to the Load button
   * must not switch the source (an empty URL field would then disable the button).
   */
  private typeSource(kind: 'hub' | 'url', value: string): void {
    if (kind === 'hub') this.hubId = value;
    else this.url = value;
    this.source = kind;
  }

  /** A known model fills the hub id (and keeps the max length within its limit); loading waits for the button. */
  private pickKnown(event: CustomEvent<KnownModelPickDetail>): void {
    ({ source: this.source, hubId: this.hubId, maxLength: this.maxLength } = pickKnownModel(event.detail.model, this.maxLength));
  }

  private pickFiles(event: Event): void {
    this.files = filesByPath((event.target as HTMLInputElement).files);
    this.source = 'files';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'model-panel': ModelPanel;
  }
  interface HTMLElementEventMap {
    'reranker-change': CustomEvent<RerankerChangeDetail>;
  }
}
