/** `<model-cache>`: the downloaded models in the browser cache, one row each with Delete, and the browser's hold on them. */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { cachedModels, clearModelCache, deleteCachedModel, persistModelStorage, storageState, type CachedModel,
  type StorageState } from '../../lib/files/cache.ts';
import { describeError, formatBytes } from '../shared/format.ts';
import { baseStyles } from '../shared/styles.ts';
import { describePersistence } from './storage-words.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What the browser cache holds of downloaded models: one row per model (size, files, an unfinished download that the
 * next load continues) with Delete, a Delete-all, the site's storage use, and whether the browser keeps the models
 * when space runs low. After a load that stored its model (`stored`), asks the browser to keep them
 * (`navigator.storage.persist()`: only a page can ask, not the worker that downloaded them); a button asks again.
 * Re-reads the cache when `revision` changes (the app bumps it after every load).
 */
@customElement('model-cache')
export class ModelCacheElement extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
        margin-top: 0.75rem;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      ul {
        list-style: none;
        margin: 0.4rem 0;
        padding: 0;
      }
      li.model {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 0.1rem 0.75rem;
        align-items: center;
        padding: 0.35rem 0;
        border-top: 1px solid var(--border);
      }
      .name {
        overflow-wrap: anywhere;
        font-family: var(--mono);
        font-size: 0.85rem;
      }
      .detail {
        grid-column: 1;
        font-size: 0.8rem;
        color: var(--muted);
      }
      li.model button {
        grid-column: 2;
        grid-row: 1 / span 2;
      }
      .files {
        grid-column: 1 / -1;
        font-size: 0.8rem;
      }
      summary {
        cursor: pointer;
      }
      details li {
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** Bump to re-read the cache. */
  @property({ type: Number }) revision = 0;
  /** Loading in progress: deleting now would race the download's own writes. */
  @property({ type: Boolean }) busy = false;
  /** The last load kept its model in the cache: ask the browser to keep it (once per revision). */
  @property({ type: Boolean }) stored = false;

  @state() private models: CachedModel[] | null = null;
  @state() private storage: StorageState | null = null;
  @state() private error: string | null = null;
  /** A delete or a persist request in flight. */
  @state() private working = false;
  private askedAt = -1;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('revision') || !this.hasUpdated) void this.refresh();
  }

  private async refresh(): Promise<void> {
    try {
      if (this.stored && this.askedAt !== this.revision) {
        this.askedAt = this.revision;
        await persistModelStorage();
      }
      [this.models, this.storage] = await Promise.all([cachedModels(), storageState()]);
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  /** Runs a change to the cache, then re-reads it; an error is shown, never thrown. */
  private async change(action: () => Promise<unknown>): Promise<void> {
    this.working = true;
    try {
      await action();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.working = false;
    }
    await this.refresh();
  }

  override render() {
    if (typeof caches === 'undefined') return html`<p class="hint">No Cache API here: models download on every load.</p>`;
    const models = this.models ?? [];
    const files = models.reduce((n, m) => n + m.files.length, 0);
    const bytes = models.reduce((n, m) => n + m.bytes, 0);
    const { persisted = null, usage = null, quota = null } = this.storage ?? {};
    return html`
      <div class="line">
        <span data-testid="cache-size">Browser cache: ${this.models === null ? '…' : `${formatBytes(bytes)} in ${plural(files, 'file')}`}</span>
        ${usage !== null && quota !== null
          ? html`<span class="hint" data-testid="storage-usage">(this site stores ${formatBytes(usage)} of the ${formatBytes(quota)} it may use)</span>`
          : nothing}
        <button data-testid="clear-cache" ?disabled=${this.busy || this.working || models.length === 0}
          @click=${() => this.change(clearModelCache)}>Delete all</button>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="cache-error">${this.error}</p>` : nothing}
      ${models.length ? html`<ul aria-label="Downloaded models">${models.map((m) => this.renderModel(m))}</ul>` : nothing}
      ${models.length
        ? html`<div class="line">
            <span class="hint" data-testid="storage-persisted" data-persisted=${String(persisted)}>${describePersistence(persisted)}</span>
            ${persisted === false
              ? html`<button data-testid="persist-button" ?disabled=${this.working}
                  @click=${() => this.change(persistModelStorage)}>Ask the browser to keep them</button>`
              : nothing}
          </div>`
        : nothing}
    `;
  }

  private renderModel(model: CachedModel) {
    const partial = model.files.filter((f) => f.partial);
    return html`<li class="model" data-testid="cached-model" data-model=${model.model}>
      <span class="name">${model.model}</span>
      <span class="detail">${formatBytes(model.bytes)} in ${plural(model.files.length, 'file')}${partial.length
        ? html` · <span data-testid="cached-model-partial">unfinished download (${partial.map((f) => formatBytes(f.bytes)).join(', ')} stored): the next load continues it</span>`
        : nothing}</span>
      <button data-testid="delete-model" aria-label=${`Delete ${model.model}`} ?disabled=${this.busy || this.working}
        @click=${() => this.change(() => deleteCachedModel(model.base))}>Delete</button>
      <details class="files">
        <summary>Files</summary>
        <ul>${model.files.map((f) => html`<li>${formatBytes(f.bytes)}${f.partial ? ' (partial)' : ''} — ${f.url}</li>`)}</ul>
      </details>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'model-cache': ModelCacheElement;
  }
}
