/** `<load-progress>`: byte progress per file and overall while a model loads. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FileProgress, OverallProgress } from './model-controller.ts';
import { formatByteProgress, formatBytes } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import { describeResume, describeVerified } from './storage-words.ts';

/** After a total the server did not send: the known model's size stands in for it. */
const ESTIMATED = ' (expected size)';

/**
 * Download progress of a model load: one bar per file ("onnx/model_quantized.onnx 12.3 / 570.7 MB") and one overall;
 * under a file's bar, where its download resumed instead of starting over, and once done, what its bytes were checked
 * against.
 * A file whose size is not known yet shows an indeterminate bar, unless the model is a known one: then its known size
 * stands in, marked "(expected size)".
 *
 * @csspart overall - the overall progress bar
 */
@customElement('load-progress')
export class LoadProgressElement extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 0 0.75rem;
        font-size: 0.85rem;
        margin-bottom: 0.3rem;
      }
      .name {
        overflow-wrap: anywhere;
        font-family: var(--mono);
      }
      .bytes {
        font-variant-numeric: tabular-nums;
      }
      progress {
        grid-column: 1 / -1;
        width: 100%;
        height: 0.6rem;
      }
      .overall {
        font-weight: 600;
      }
      .resumed {
        grid-column: 1 / -1;
        font-size: 0.8rem;
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) files: readonly FileProgress[] = [];
  @property({ attribute: false }) overall: OverallProgress | null = null;

  override render() {
    const overall = this.overall;
    return html`
      ${overall
        ? html`<div class="overall" data-testid="load-progress-overall">
            <label for="overall">Overall ${formatByteProgress(overall.loaded, overall.total)}${overall.estimated ? ESTIMATED : ''}</label>
            <progress id="overall" part="overall" max=${overall.total ?? nothing} value=${overall.total ? overall.loaded : nothing}></progress>
          </div>`
        : nothing}
      <ul aria-label="Files">
        ${this.files.map(
          (f) => html`<li data-testid="load-progress-file">
            <span class="name">${f.file}</span>
            <span class="bytes">${f.done
              ? `${formatBytes(f.loaded)}${f.fromCache ? ' (cache)' : ''}${describeVerified(f.verified) ? `, ${describeVerified(f.verified)}` : ''} ✓`
              : `${formatByteProgress(f.loaded, f.total)}${f.estimated ? ESTIMATED : ''}`}</span>
            <progress aria-label=${f.file} max=${f.total ?? nothing} value=${f.total ? f.loaded : nothing}></progress>
            ${f.resumed ? html`<span class="resumed" data-testid="load-progress-resumed">${describeResume(f.resumed)}</span>` : nothing}
          </li>`,
        )}
      </ul>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'load-progress': LoadProgressElement;
  }
}
