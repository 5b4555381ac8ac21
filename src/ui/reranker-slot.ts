/**
 * Holds one loaded reranker, keyed by the settings it was loaded with: asking again with the same key reuses it (or
 * its load in flight); a new key disposes the old reranker before creating the next, so two models never sit in memory
 * together; a failed load is forgotten, so the next ask tries again. DOM-free.
 *
 * @example
 * const slot = new RerankerSlot<WorkerReranker>();
 * const a = await slot.get('demo', () => createReranker({ model: demo }));
 * const b = await slot.get('demo', () => createReranker({ model: demo })); // → the same reranker, not loaded again
 */
export class RerankerSlot<R extends { dispose(): Promise<void> }> {
  private current: { key: string; loading: Promise<R> } | null = null;

  /** Whether a reranker is held or loading. */
  get holding(): boolean {
    return this.current !== null;
  }

  get(key: string, create: () => Promise<R>): Promise<R> {
    if (this.current?.key === key) return this.current.loading;
    const previous = this.current?.loading;
    const loading = (async () => {
      await previous?.then((r) => r.dispose()).catch(() => {});
      return create();
    })();
    const entry = { key, loading };
    this.current = entry;
    loading.catch(() => {
      if (this.current === entry) this.current = null;
    });
    return loading;
  }

  /** Disposes the held reranker (once its load finishes, if one is in flight). */
  clear(): void {
    const loading = this.current?.loading;
    this.current = null;
    void loading?.then((r) => r.dispose()).catch(() => {});
  }
}
