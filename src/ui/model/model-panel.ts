/** `<model-panel>`: the model form (source, dtype, device, max length) and the sticky Load bar over ModelController. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { TaskStatus } from '@lit/task';
import { DEFAULT_HUB_HOST } from '../../lib/files/cache.ts';
import { DTYPE_ORDER, DTYPES } from '../../lib/dtypes.ts';
import { knownModel } from '../../lib/files/known-models.ts';
import { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH, MIN_MAX_LENGTH } from '../../lib/text/pairs.ts';
import { DEFAULT_MODEL_ID, type DeviceRequest, type DtypeRequest } from '../../lib/types.ts';
import { ModelController } from './model-controller.ts';
import { pickKnownModel } from './known-model-choice.ts';
import { loadTarget, maxLengthProblem, type LoadTarget, type ModelChoice } from './model-choice.ts';
import type { AppReranker } from '../app/reranker-source.ts';
import { describeError, isAbort } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import type { KnownModelPickDetail } from './known-model-picker.ts';
import './model-source-choice.ts';
import './load-progress.ts';
import './model-info.ts';
import './model-cache.ts';

export { DEMO_MODELS } from './model-choice.ts';

export interface RerankerChangeDetail {
  reranker: AppReranker | null;
}

const AUTO_DTYPE_HINT = 'auto: the dtype that runs best on the device the load ends up on.';

/**
 * Chooses a model source (the demo, a hub id typed or picked from the known models, a URL, files), dtype, device and
 * max length; loads it with per-file byte progress and cancel; shows what loaded, and follows it when it changes (wasm
 * after a lost GPU device). One source shows at a time, with its own fields; the Load button names what it will load,
 * says why it cannot, and stays in view while the choices scroll. The loaded model stays in use while another loads
 * and when that load fails. The bundled demo model is the default (the only source that works offline).
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
      input[type='number'] {
        width: 6.5rem;
      }
      /* The action stays in view while the choices above it scroll (the hub's cards are long on a phone). */
      .load-bar {
        position: sticky;
        bottom: 0;
        z-index: 1;
        background: var(--surface);
        border-top: 1px solid var(--border);
        padding: 0.5rem 0;
      }
      .blocked {
        color: var(--warn-text);
      }
    `,
  ];

  /** The source form's choice (model-source-choice tells it on every change). */
  @state() private choice: ModelChoice = { source: 'demo', demo: 'xlmr', hubId: DEFAULT_MODEL_ID, hubMirror: '', url: '', files: {} };
  @state() private dtype: DtypeRequest = 'auto';
  @state() private device: DeviceRequest = 'auto';
  @state() private maxLength = DEFAULT_MAX_LENGTH;
  /** The source of the last load started: a failed hub or URL load may be the network's doing. */
  @state() private lastLoadSource: ModelChoice['source'] | null = null;
  private lastLoadKey = '';
  /** The hub (or mirror) of the last load started, and of the model loaded now: what the texts name. */
  @state() private lastLoadHost = DEFAULT_HUB_HOST;
  @state() private loadedHost = DEFAULT_HUB_HOST;
  /** What holds the model now (a rerank, a sweep): loading another would swap it under that run. */
  @property({ attribute: false }) blockedBy: string | null = null;

  /** Bumped whenever a load ends, however it ended (a failed download leaves pieces): the cache listing re-reads then. */
  private loads = 0;
  private wasLoading = false;

  private readonly model = new ModelController(this, (reranker) => {
    this.loadedHost = this.lastLoadHost;
    this.dispatchEvent(new CustomEvent<RerankerChangeDetail>('reranker-change', { detail: { reranker }, bubbles: true, composed: true }));
  });

  private readonly hasWebGpu = typeof navigator !== 'undefined' && 'gpu' in navigator;
  private wasBusy = false;

  protected override willUpdate(): void {
    if (this.wasLoading && !this.model.pending) this.loads++;
    this.wasLoading = this.model.pending;
  }

  protected override updated(): void {
    if (this.model.pending !== this.wasBusy) {
      this.wasBusy = this.model.pending;
      this.dispatchEvent(new CustomEvent('busy-change', { detail: { busy: this.wasBusy }, bubbles: true, composed: true }));
    }
  }

  private target(): LoadTarget {
    return loadTarget(this.choice, document.baseURI);
  }

  /** Why Load cannot run now, in the user's words; null when it can. */
  private loadBlocker(target: LoadTarget): string | null {
    if (this.blockedBy) return `Loading another model waits for ${this.blockedBy} to finish.`;
    if ('problem' in target) return target.problem;
    return maxLengthProblem(this.maxLength, this.choice.source === 'hub' ? knownModel(this.choice.hubId.trim())?.maxTokens : undefined);
  }

  /** The form as one key: a failed load's error is shown while the form still asks for what failed. */
  private formKey(target: LoadTarget): string {
    return JSON.stringify(['label' in target ? [target.label, target.remoteHost] : null, this.dtype, this.device, this.maxLength]);
  }

  private load(): void {
    const target = this.target();
    if (this.loadBlocker(target) !== null || 'problem' in target) return;
    this.lastLoadSource = this.choice.source;
    this.lastLoadKey = this.formKey(target);
    this.lastLoadHost = target.remoteHost ?? DEFAULT_HUB_HOST;
    this.model.run({ model: target.source, ...(target.remoteHost ? { remoteHost: target.remoteHost } : {}), dtype: this.dtype,
      device: this.device, maxLength: this.maxLength });
  }

  override render() {
    const loading = this.model.pending;
    const target = this.target();
    const blocker = loading ? null : this.loadBlocker(target);
    const lengthProblem = maxLengthProblem(this.maxLength);
    return html`
      <h2>Model</h2>
      ${this.hasWebGpu ? nothing : html`<p class="banner info" data-testid="no-webgpu">No WebGPU in this browser: running on wasm.</p>`}
      <model-source-choice .dtype=${this.dtype} .device=${this.device} ?webgpu=${this.hasWebGpu} ?disabled=${loading}
        @model-choice-change=${(e: CustomEvent<ModelChoice>) => (this.choice = e.detail)}
        @known-model-pick=${this.pickKnown}></model-source-choice>
      <fieldset ?disabled=${loading}>
        <legend>Runtime</legend>
        <div class="row">
          <div class="field">
            <label for="dtype">Dtype</label>
            <select id="dtype" data-testid="dtype-select" aria-describedby="dtype-hint"
              @change=${(e: Event) => (this.dtype = (e.target as HTMLSelectElement).value as DtypeRequest)}>
              <option value="auto" ?selected=${this.dtype === 'auto'}>auto</option>
              ${DTYPE_ORDER.map((d) => html`<option value=${d} title=${DTYPES[d].description} ?selected=${d === this.dtype}>${DTYPES[d].label}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="device">Device</label>
            <select id="device" data-testid="device-select"
              @change=${(e: Event) => (this.device = (e.target as HTMLSelectElement).value as DeviceRequest)}>
              ${(['auto', 'webgpu', 'wasm'] as const).map((d) => html`<option value=${d} ?selected=${d === this.device}>${d}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="max-length">Max length</label>
            <input id="max-length" type="number" min=${MIN_MAX_LENGTH} max=${MAX_MAX_LENGTH} step="1" .value=${String(this.maxLength)}
              aria-describedby="max-length-hint" @input=${(e: Event) => (this.maxLength = (e.target as HTMLInputElement).valueAsNumber)} />
          </div>
        </div>
        <p class="hint" id="dtype-hint" data-testid="dtype-hint">${this.dtype === 'auto' ? AUTO_DTYPE_HINT : `${this.dtype}: ${DTYPES[this.dtype].description}`}</p>
        <p class="hint" id="max-length-hint">Max length: tokens per (query, document) pair, ${MIN_MAX_LENGTH} to ${MAX_MAX_LENGTH}; longer
          pairs are cut. Device auto: WebGPU where the browser has a GPU, else wasm (the CPU).</p>
        ${lengthProblem ? html`<p class="error" data-testid="max-length-problem">${lengthProblem}</p>` : nothing}
      </fieldset>
      <div class="actions load-bar">
        <button class="primary" part="load" data-testid="load-button" ?disabled=${loading || blocker !== null} @click=${this.load}>
          ${'label' in target ? target.label : 'Load'}</button>
        ${loading ? html`<button data-testid="cancel-load-button" @click=${() => this.model.cancel()}>Cancel</button>` : nothing}
        ${blocker ? html`<span class="blocked" data-testid="load-blocked">${blocker}</span>` : nothing}
        <span role="status" data-testid="model-status" data-status=${this.statusKey()}>${this.statusText()}</span>
      </div>
      ${loading ? html`<load-progress .files=${[...this.model.files.values()]} .overall=${this.model.overall}></load-progress>` : nothing}
      ${this.formKey(target) === this.lastLoadKey ? this.renderError() : nothing}
      ${this.model.reranker && loading
        ? html`<p class="hint" data-testid="model-kept">Until the new model is ready, the loaded one stays in use: ${this.describeLoaded()}.</p>`
        : nothing}
      <model-info .info=${this.model.info} .hubHost=${this.loadedHost}></model-info>
      <model-cache .revision=${this.loads} ?busy=${loading} ?stored=${this.model.info?.storage?.kept === true}></model-cache>
    `;
  }

  /**
   * The failed load's error (while the form still asks for that load: another choice drops it); for the hub or a URL,
   * that the network may be the cause (the demo needs none).
   */
  private renderError() {
    if (this.model.status !== TaskStatus.ERROR || isAbort(this.model.error)) return nothing;
    const remote = this.lastLoadSource === 'hub' || this.lastLoadSource === 'url';
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    return html`<p class="error" role="alert" data-testid="model-error">${describeError(this.model.error)}</p>
      ${remote && (this.model.error as Error | null)?.name === 'ModelLoadError'
        ? html`<p class="hint" data-testid="model-error-network">${offline ? 'This browser reports no network connection. ' : ''}This model
            downloads over the network: check the connection, and that ${this.lastLoadSource === 'hub' ? new URL(this.lastLoadHost).host : 'the host'} can be
            reached from here. The demo model works offline.</p>`
        : nothing}`;
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
        return `Loaded: ${this.describeLoaded()}`;
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

  /** A known model's max length limit applies at once: the field is clamped to it (loading waits for the button). */
  private pickKnown(event: CustomEvent<KnownModelPickDetail>): void {
    this.maxLength = pickKnownModel(event.detail.model, this.maxLength).maxLength;
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
