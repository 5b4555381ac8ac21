/** `<model-cache>`: what the browser cache holds of downloaded models, and clearing it. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { cachedModelFiles, clearModelCache, type CachedFile } from '../../lib/files/cache.ts';
import { describeError, formatBytes } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';

/**
 * What the browser cache holds of downloaded models (size, files) and a control to clear it. Re-reads the cache when
 * `revision` changes (the app bumps it after every load).
 */
@customElement('model-cache')
export class ModelCacheElement extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      summary {
        cursor: pointer;
        font-size: 0.85rem;
      }
      li {
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** Bump to re-read the cache. */
  @property({ type: Number }) revision = 0;
  /** Loading in progress: clearing now would race the download's own writes. */
  @property({ type: Boolean }) busy = false;

  @state() private files: CachedFile[] | null = null;
  @state() private error: string | null = null;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('revision')) void this.refresh();
  }

  private async refresh(): Promise<void> {
    try {
      this.files = await cachedModelFiles();
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  private async clear(): Promise<void> {
    await clearModelCache().catch((error) => (this.error = describeError(error)));
    await this.refresh();
  }

  override render() {
    if (typeof caches === 'undefined') return html`<p class="hint">No Cache API here: models download on every load.</p>`;
    const files = this.files ?? [];
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    return html`
      <div class="line">
        <span data-testid="cache-size">Browser cache: ${this.files === null ? '…' : `${formatBytes(bytes)} in ${files.length} file${files.length === 1 ? '' : 's'}`}</span>
        <button data-testid="clear-cache" ?disabled=${this.busy || files.length === 0} @click=${this.clear}>Clear cache</button>
      </div>
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      ${files.length
        ? html`<details><summary>Cached files</summary><ul>${files.map((f) => html`<li>${formatBytes(f.bytes)} — ${f.url}</li>`)}</ul></details>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'model-cache': ModelCacheElement;
  }
}
