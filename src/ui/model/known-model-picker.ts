/** `<known-model-picker>`: the hub model cards, with the file each would download for the chosen dtype and device. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { KNOWN_MODELS, type KnownModel } from '../../lib/files/known-models.ts';
import { DEFAULT_MODEL_ID, type DeviceRequest, type DtypeRequest } from '../../lib/types.ts';
import { describeCompactExport, describeDownload, downloadOptions, formatParameters } from './known-model-choice.ts';
import { baseStyles } from '../shared/styles.ts';

export interface KnownModelPickDetail {
  model: KnownModel;
}

/**
 * The known hub models as a radio group of cards (one per model, narrow or wide: the panel's column is narrow at any
 * window size): languages, size, the download the current dtype and device settings would make, and when to pick it.
 * Picking one only tells the panel, which fills the hub id; nothing is downloaded before Load. Arrow keys move
 * between models, as in any radio group.
 *
 * @fires known-model-pick - `detail.model`: the model picked
 */
@customElement('known-model-picker')
export class KnownModelPicker extends LitElement {
  static override styles = [
    baseStyles,
    css`
      fieldset {
        border: 0;
        padding: 0;
        margin: 0.5rem 0 0;
      }
      legend {
        font-size: 0.9rem;
        padding: 0;
        margin-bottom: 0.25rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.4rem;
      }
      label.model {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        gap: 0.15rem 0.5rem;
        margin: 0;
        padding: 0.4rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        font-weight: 400;
        cursor: pointer;
      }
      label.model.picked {
        border-color: var(--accent);
        background: var(--surface-2);
      }
      input[type='radio'] {
        margin: 0.25rem 0 0;
      }
      .name {
        font-weight: 600;
      }
      .id {
        display: block;
        font-family: ui-monospace, monospace;
        font-size: 0.8rem;
        color: var(--muted);
        overflow-wrap: anywhere;
      }
      .facts {
        grid-column: 2;
        display: grid;
        gap: 0.15rem;
        font-size: 0.9rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .label {
        color: var(--muted);
      }
      .size:not(:last-child)::after {
        content: ' · ';
        color: var(--muted);
      }
    `,
  ];

  /** The hub id in the panel's field: the card with this id is checked (none for any other id). */
  @property() value = '';
  @property() dtype: DtypeRequest = 'auto';
  @property() device: DeviceRequest = 'auto';
  /** Whether the page has `navigator.gpu`: without it only wasm's file can be downloaded. */
  @property({ type: Boolean }) webgpu = false;
  @property({ type: Boolean }) disabled = false;

  override render() {
    return html`
      <fieldset ?disabled=${this.disabled}>
        <legend>Known models</legend>
        <ul data-testid="known-models">${KNOWN_MODELS.map((model, i) => this.renderModel(model, i))}</ul>
        <p class="hint">Download: the ONNX file that the Dtype and Device settings below would load (the tokenizer adds up to
          17 MB). Nothing downloads until you press Load.</p>
      </fieldset>
    `;
  }

  private renderModel(model: KnownModel, i: number) {
    const options = downloadOptions(model, this.dtype, this.device, this.webgpu);
    const picked = model.id === this.value;
    const compact = describeCompactExport(model);
    return html`
      <li>
        <label class="model ${picked ? 'picked' : ''}" data-testid="known-model" data-id=${model.id}>
          <input type="radio" name="known-model" value=${model.id} .checked=${picked}
            aria-labelledby="known-${i}-name" aria-describedby="known-${i}-facts" @change=${() => this.pick(model)} />
          <span id="known-${i}-name"><span class="name">${model.name}</span>${model.id === DEFAULT_MODEL_ID ? html` <span class="hint">(default)</span>` : nothing}
            <span class="id">${model.id}</span></span>
          <span class="facts" id="known-${i}-facts">
            <span><span data-testid="known-languages">${model.languages}</span> · <span data-testid="known-size">${
              formatParameters(model.parameters)} parameters, ${model.layers} layers</span> · <span data-testid="known-max-tokens">up to ${
              model.maxTokens} tokens</span></span>
            <span data-testid="known-download"><span class="label">Download:</span> ${options.map((o) => html`<span class="size">${
              describeDownload(o)}${options.length > 1 ? ` on ${o.where}` : ''}</span>`)}</span>
            ${compact ? html`<span data-testid="known-compact"><span class="label">Compact export:</span> ${compact} (4-bit
              embeddings too; not on the hub, host it yourself: README, "Host your own compact model")</span>` : nothing}
            <span data-testid="known-pick-when"><span class="label">Pick it for:</span> ${model.pickWhen}</span>
          </span>
        </label>
      </li>
    `;
  }

  private pick(model: KnownModel): void {
    this.dispatchEvent(new CustomEvent<KnownModelPickDetail>('known-model-pick', { detail: { model }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'known-model-picker': KnownModelPicker;
  }
  interface HTMLElementEventMap {
    'known-model-pick': CustomEvent<KnownModelPickDetail>;
  }
}
