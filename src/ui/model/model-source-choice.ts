/** `<model-source-choice>`: one radio group for where the model comes from (demo, hub card, hub id, URL, local files). */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_HUB_HOST } from '../../lib/files/cache.ts';
import { DEFAULT_MODEL_ID, type DeviceRequest, type DtypeRequest } from '../../lib/types.ts';
import { checkHubMirror, checkModelUrl, DEMO_MODELS, type DemoModel, type ModelChoice, type SourceKind } from './model-choice.ts';
import { formatBytes, plural } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import type { KnownModelPickDetail } from './known-model-picker.ts';
import './known-model-picker.ts';

/** The source choices, in the order shown: the demo first (the only one that works offline). */
const SOURCES: readonly { kind: SourceKind; label: string }[] = [
  { kind: 'demo', label: 'Demo model' },
  { kind: 'hub', label: 'Hugging Face hub' },
  { kind: 'url', label: 'Web address (URL)' },
  { kind: 'files', label: 'Files on this device' },
];

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
 * Where the model comes from: one choice of four (the bundled demo, a hub id typed or picked from the known models, a
 * URL, files on this device), and only the chosen one's fields on screen, so one source reads as selected. The other
 * sources keep what was typed in them. A URL is checked as it is typed, not at fetch.
 *
 * @fires model-choice-change - `detail` is the current `ModelChoice`, on every change and once after the first render
 * @fires known-model-pick - (from the picker) `detail.model`: a known model was picked
 */
@customElement('model-source-choice')
export class ModelSourceChoice extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
      }
      .choices label {
        display: flex;
        gap: 0.35rem;
        align-items: center;
        margin: 0;
        padding: 0.3rem 0.6rem;
        border: 1px solid var(--border-strong);
        border-radius: 999px;
        font-weight: 500;
        cursor: pointer;
      }
      .choices label.chosen {
        border-color: var(--accent);
        background: var(--info-bg);
        font-weight: 600;
      }
      .choices input {
        margin: 0;
      }
      .detail {
        display: grid;
        /* minmax(0, …): a file input's intrinsic width must not widen the column past a narrow screen. */
        grid-template-columns: minmax(0, 1fr);
        gap: 0.25rem;
        margin-top: 0.6rem;
        min-width: 0;
      }
      .detail input[type='text'],
      .detail input[type='url'] {
        width: 100%;
      }
      details {
        display: grid;
        gap: 0.25rem;
      }
      summary {
        cursor: pointer;
        font-size: 0.9rem;
      }
    `,
  ];

  /** The dtype and device settings: the known models' cards show the download they would make. */
  @property() dtype: DtypeRequest = 'auto';
  @property() device: DeviceRequest = 'auto';
  /** Whether the page has `navigator.gpu`. */
  @property({ type: Boolean }) webgpu = false;
  @property({ type: Boolean }) disabled = false;

  @state() private source: SourceKind = 'demo';
  @state() private demo: DemoModel = 'xlmr';
  @state() private hubId = DEFAULT_MODEL_ID;
  @state() private hubMirror = '';
  @state() private url = '';
  /** Whether the URL field has been typed in: its problem shows from the first keystroke, not before. */
  @state() private urlTouched = false;
  @state() private files: Record<string, File> = {};

  get choice(): ModelChoice {
    return { source: this.source, demo: this.demo, hubId: this.hubId, hubMirror: this.hubMirror, url: this.url, files: this.files };
  }

  /** Every update comes from a change (or the first render), so every update is worth telling. */
  protected override updated(): void {
    this.dispatchEvent(new CustomEvent<ModelChoice>('model-choice-change', { detail: this.choice, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <fieldset ?disabled=${this.disabled}>
        <legend>Source</legend>
        <div class="choices">${SOURCES.map(({ kind, label }) => html`
          <label class=${this.source === kind ? 'chosen' : ''}>
            <input type="radio" name="source" value=${kind} data-testid="source-${kind}" .checked=${this.source === kind}
              @change=${() => (this.source = kind)} />${label}
          </label>`)}
        </div>
        <div class="detail" data-testid="source-detail">${this.renderSource()}</div>
      </fieldset>
    `;
  }

  /** The chosen source's own fields. */
  private renderSource() {
    switch (this.source) {
      case 'demo':
        return html`<label for="demo-model">Architecture</label>
          <select id="demo-model" data-testid="demo-model" @change=${(e: Event) => (this.demo = (e.target as HTMLSelectElement).value as DemoModel)}>
            ${Object.entries(DEMO_MODELS).map(([key, m]) => html`<option value=${key} ?selected=${this.demo === key}>${m.label}</option>`)}</select>
          <span class="hint">Works offline: a 2-layer model with generated (random) weights, served with this page (a load reads about 1 MB). It
            shows the app working; its scores mean nothing. For real rankings pick a model from the Hugging Face hub.</span>`;
      case 'hub': {
        const mirror = checkHubMirror(this.hubMirror);
        const host = new URL('remoteHost' in mirror && mirror.remoteHost ? mirror.remoteHost : DEFAULT_HUB_HOST).host;
        return html`<label for="hub-id">Hub model id</label>
          <input id="hub-id" type="text" spellcheck="false" data-testid="hub-id" .value=${this.hubId}
            @input=${(e: Event) => (this.hubId = (e.target as HTMLInputElement).value)} />
          <span class="hint">Needs the network: downloads from ${host} when you press Load, then reads
            from the browser cache. Any hub id in transformers.js' layout works.</span>
          <details ?open=${this.hubMirror !== ''}>
            <summary>Hub mirror</summary>
            <label class="visually-hidden" for="hub-mirror">Hub mirror address</label>
            <input id="hub-mirror" type="url" spellcheck="false" data-testid="hub-mirror" placeholder=${DEFAULT_HUB_HOST}
              .value=${this.hubMirror} aria-invalid=${'problem' in mirror}
              @input=${(e: Event) => (this.hubMirror = (e.target as HTMLInputElement).value)} />
            ${'problem' in mirror ? html`<span class="error" data-testid="hub-mirror-problem">${mirror.problem}</span>` : nothing}
            <span class="hint">A server with the hub's paths ({mirror}{id}/resolve/main/…), for where ${new URL(DEFAULT_HUB_HOST).host}
              is slow or blocked; the site's Content-Security-Policy must allow it (README). Empty: the hub itself.</span>
          </details>
          <known-model-picker .value=${this.hubId} .dtype=${this.dtype} .device=${this.device} ?webgpu=${this.webgpu}
            ?disabled=${this.disabled} @known-model-pick=${this.pickKnown}></known-model-picker>`;
      }
      case 'url': {
        const checked = this.urlTouched ? checkModelUrl(this.url, document.baseURI) : null;
        const problem = checked && 'problem' in checked ? checked.problem : null;
        return html`<label for="model-url">Base URL of the model folder</label>
          <input id="model-url" type="url" spellcheck="false" placeholder="https://example.org/models/bge-reranker-v2-m3/"
            data-testid="model-url" .value=${this.url} aria-invalid=${problem !== null}
            @input=${(e: Event) => { this.url = (e.target as HTMLInputElement).value; this.urlTouched = true; }} />
          ${problem ? html`<span class="error" data-testid="model-url-problem">${problem}</span>` : nothing}
          <span class="hint">A folder with the hub's layout (config.json, tokenizer.json, tokenizer_config.json, onnx/…), or a
            path on this site such as models/tiny-random-bge-reranker/.</span>`;
      }
      case 'files': {
        const paths = Object.keys(this.files);
        const bytes = Object.values(this.files).reduce((n, f) => n + f.size, 0);
        return html`<div class="row">
            <div class="field">
              <label for="model-folder">Folder</label>
              <input id="model-folder" type="file" webkitdirectory multiple data-testid="model-folder" @change=${this.pickFiles} />
            </div>
            <div class="field">
              <label for="model-files">Files</label>
              <input id="model-files" type="file" multiple data-testid="model-files" @change=${this.pickFiles} />
            </div>
          </div>
          <span class="hint" data-testid="picked-files">${paths.length
            ? `${plural(paths.length, 'file')}, ${formatBytes(bytes)}: ${paths.slice(0, 6).join(', ')}${paths.length > 6 ? ', …' : ''}`
            : 'Nothing picked. Files stay on this device.'}</span>`;
      }
    }
  }

  /** A known model fills the hub id; the event goes on up (the panel keeps the max length within its limit). */
  private pickKnown(event: CustomEvent<KnownModelPickDetail>): void {
    this.hubId = event.detail.model.id;
  }

  private pickFiles(event: Event): void {
    this.files = filesByPath((event.target as HTMLInputElement).files);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'model-source-choice': ModelSourceChoice;
  }
  interface HTMLElementEventMap {
    'model-choice-change': CustomEvent<ModelChoice>;
  }
}
