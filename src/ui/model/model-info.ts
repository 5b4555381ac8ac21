/** `<model-info>`: what is loaded: model, backend, dtype, files, load time, memory. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { LoadedFile, RerankerInfo, WeightsPath } from '../../lib/types.ts';
import { DEFAULT_HUB_HOST } from '../../lib/files/cache.ts';
import { formatBytes, formatMs } from '../shared/format.ts';
import { downloadedFrom } from './model-choice.ts';
import { baseStyles, stackTableStyles } from '../shared/styles.ts';
import { describeModelStorage, describeResume, describeVerified } from './storage-words.ts';

/** How the weights reached onnxruntime, in a user's words. */
const WEIGHTS_WORDS: Record<WeightsPath, string> = {
  'read-on-demand': 'read by onnxruntime weight by weight from the file on disk (never held whole in memory)',
  'file-as-external-data': 'read by onnxruntime from the downloaded file itself (held once, not copied whole)',
  'external-data': "read from the model's external data files",
  inline: 'parsed whole from the file by onnxruntime',
};

/** The embedding tables read a range of rows at a time, if any: e.g. "; the embedding table in 16 reads". */
function describePieces(tables: readonly { pieces: number }[] | undefined): string {
  if (!tables?.length) return '';
  const reads = tables.map((t) => t.pieces).join(' + ');
  return `; the embedding ${tables.length === 1 ? 'table' : 'tables'} in ${reads} reads, not one`;
}

/**
 * What actually loaded: backend, dtype, adapter, every fallback and note, files with sizes, load time, and a banner
 * when the weights are generated (the demo model), since its scores mean nothing.
 *
 * @csspart generated - the "generated demo weights" banner
 */
@customElement('model-info')
export class ModelInfoElement extends LitElement {
  static override styles = [
    baseStyles,
    stackTableStyles('24rem'),
    css`
      dl {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.2rem 0.75rem;
        margin: 0.5rem 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      ul {
        margin: 0.25rem 0;
        padding-left: 1.2rem;
      }
      td.text {
        font-family: var(--mono);
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property({ attribute: false }) info: RerankerInfo | null = null;
  /** The hub (or mirror) a hub id was downloaded from. */
  @property({ attribute: false }) hubHost = DEFAULT_HUB_HOST;

  override render() {
    const info = this.info;
    if (!info) return nothing;
    const adapter = info.runtime?.adapter ?? null;
    const fidelity = info.runtime?.fidelity ?? null;
    const threads = info.runtime?.numThreads;
    const origin = downloadedFrom(info.modelId, location.origin, this.hubHost);
    const noGpu = info.backend === 'wasm' ? info.fallbacks.find((f) => f.from === 'webgpu') : undefined;
    return html`
      ${noGpu
        ? html`<p class="banner info" role="note" data-testid="wasm-fallback-banner">Running on wasm (the CPU), not WebGPU: ${noGpu.reason}.</p>`
        : nothing}
      ${fidelity && !fidelity.ok
        ? html`<p class="banner warn" role="alert" data-testid="fidelity-warning"><strong>Scores on ${info.backend} differ from wasm</strong>
            by up to ${fidelity.maxDiff.toPrecision(3)} (tolerance ${fidelity.tolerance}): this backend/dtype may give wrong rankings here.</p>`
        : nothing}
      ${info.generated
        ? html`<p class="banner warn" part="generated" role="note" data-testid="generated-banner">
            <strong>Generated demo weights: scores are not meaningful.</strong> This model has random weights; it shows
            the pipeline (tokenizing, batching, timing) working, not a real ranking.
          </p>`
        : nothing}
      <dl data-testid="model-info">
        <dt>Model</dt>
        <dd>${info.modelId}</dd>
        <dt>Architecture</dt>
        <dd data-testid="info-architecture">${info.architecture}${info.labels === 2 ? ', two labels (score: probability of the relevant one)' : ''}</dd>
        <dt>Backend</dt>
        <dd data-testid="info-backend">${info.backend}${info.backend === 'wasm' && threads ? ` (${threads} thread${threads === 1 ? '' : 's'})` : ''}</dd>
        <dt>Dtype</dt>
        <dd data-testid="info-dtype">${info.dtype}</dd>
        <dt>Max length</dt>
        <dd>${info.maxLength} tokens</dd>
        <dt>Adapter</dt>
        <dd>${adapter
          ? `${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' · ') || 'unnamed'}${adapter.isFallbackAdapter ? ' (software fallback adapter)' : ''}, shader-f16 ${adapter.shaderF16 ? 'yes' : 'no'}`
          : 'none'}</dd>
        ${info.runtime
          ? html`<dt>Weights</dt>
              <dd data-testid="info-weights">${WEIGHTS_WORDS[info.runtime.weights]}${describePieces(info.runtime.tablesInPieces)}</dd>`
          : nothing}
        <dt>Load time</dt>
        <dd data-testid="info-load-ms">${formatMs(info.loadMs)} ms</dd>
        ${info.storage
          ? html`<dt>Stored</dt>
              <dd data-testid="info-storage" data-kept=${String(info.storage.kept)}>${describeModelStorage(info.storage)}</dd>`
          : nothing}
        ${fidelity
          ? html`<dt>Self-check</dt>
              <dd>${fidelity.ok ? 'matches wasm' : 'DIFFERS from wasm'}: max |Δlogit| ${fidelity.maxDiff.toPrecision(3)} over
                ${fidelity.pairs} pairs (tolerance ${fidelity.tolerance})</dd>`
          : nothing}
      </dl>
      ${info.fallbacks.length
        ? html`<h3>Fallbacks</h3>
            <ul data-testid="info-fallbacks">
              ${info.fallbacks.map((f) => html`<li><strong>${f.from} → ${f.to}</strong>: ${f.reason}</li>`)}
            </ul>`
        : nothing}
      ${info.notes.length
        ? html`<h3>Notes</h3>
            <ul data-testid="info-notes">
              ${info.notes.map((n) => html`<li>${n}</li>`)}
            </ul>`
        : nothing}
      <h3>Files</h3>
      <div class="table-wrap">
        <table class="stack" data-testid="info-files">
          <thead><tr><th class="text" scope="col">File</th><th scope="col">Size</th><th class="text" scope="col">Came from</th></tr></thead>
          <tbody>
            ${info.files.map(
              (f) => html`<tr data-testid="info-file" data-from-cache=${f.fromCache}><td class="text head">${f.path}</td><td data-label="size">${formatBytes(f.bytes)}</td><td class="text" data-label="came from">${f.fromCache ? 'browser cache' : origin}${this.renderArrival(f)}</td></tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  /** How a downloaded file arrived: where it resumed, and what its bytes were checked against. */
  private renderArrival(file: LoadedFile) {
    const words = [file.resumed && describeResume(file.resumed), describeVerified(file.verified)].filter(Boolean);
    return words.length ? html`<br /><span class="hint" data-testid="info-file-arrival">${words.join('; ')}</span>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'model-info': ModelInfoElement;
  }
}
