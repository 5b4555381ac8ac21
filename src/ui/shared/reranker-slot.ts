/** The loaded reranker the UI holds, and its replacement while that loads. DOM-free. */
import { abortError } from './abortable.ts';

/** What one `get` is asked to create; `signal` aborts when a newer `get` or `clear` supersedes it. */
export type CreateReranker<R> = (signal: AbortSignal) => Promise<R>;

/**
 * Holds one loaded reranker, keyed by the settings it was loaded with. Asking again with the same key reuses it (or its
 * load in flight). A new key loads the next reranker **while the held one stays usable**, and swaps only when the new
 * one is ready: a bad URL or a missing file never costs the working model. A failed load is forgotten (the next ask
 * tries again) and the held reranker stays; a load superseded by a newer ask is aborted, and disposed if it still
 * arrives.
 *
 * Memory: during a load the old and the new model are both alive (two workers, for a moment two sets of weights: for
 * the real model, about 1.1 GB at q8). That is the price of keeping the old one usable; most failures (a wrong URL, a
 * missing file, a host answering HTML) surface on the first small file, before the large weights are read.
 *
 * @example
 * const slot = new RerankerSlot<WorkerReranker>();
 * const a = await slot.get('demo', (signal) => createReranker({ model: demo, signal }));
 * await slot.get('demo', …);                       // → a again, not loaded twice
 * await slot.get('bad', (signal) => createReranker({ model: { url: '/nope/' }, signal })).catch(() => {});
 * slot.current;                                    // → a: still loaded and usable
 */
export class RerankerSlot<R extends { dispose(): Promise<void> }> {
  private held: { key: string; reranker: R } | null = null;
  private next: { key: string; loading: Promise<R>; controller: AbortController } | null = null;

  /** The reranker ready for use (the last one loaded), or null; it stays while a replacement loads. */
  get current(): R | null {
    return this.held?.reranker ?? null;
  }

  /** The key `current` was loaded with. */
  get currentKey(): string | null {
    return this.held?.key ?? null;
  }

  /** Whether a reranker is held or loading. */
  get holding(): boolean {
    return this.held !== null || this.next !== null;
  }

  /** Whether a load is in flight. */
  get loading(): boolean {
    return this.next !== null;
  }

  /**
   * The reranker for `key`: the held one, the load in flight for it, or a new load (superseding any other load in
   * flight). Rejects when that load fails or is superseded; the held reranker is kept either way.
   */
  get(key: string, create: CreateReranker<R>): Promise<R> {
    if (this.next?.key === key) return this.next.loading;
    this.abortNext();
    if (this.held?.key === key) return Promise.resolve(this.held.reranker);
    const controller = new AbortController();
    // The callbacks run after `entry` exists: a promise settles no sooner than the next microtask.
    const loading = new Promise<R>((resolve) => resolve(create(controller.signal))).then(
      (reranker) => {
        if (this.next !== entry) {
          void reranker.dispose().catch(() => {}); // superseded or cleared while it loaded: nobody will use it
          throw abortError('a newer load replaced this one');
        }
        this.next = null;
        const previous = this.held?.reranker;
        this.held = { key, reranker };
        if (previous !== reranker) void previous?.dispose().catch(() => {});
        return reranker;
      },
      (error: unknown) => {
        if (this.next === entry) this.next = null;
        throw error;
      },
    );
    const entry = { key, controller, loading };
    this.next = entry;
    return loading;
  }

  /** Aborts the load in flight, if any; the held reranker stays. */
  cancel(): void {
    this.abortNext();
  }

  /** Disposes the held reranker and aborts any load in flight. */
  clear(): void {
    this.abortNext();
    const held = this.held?.reranker;
    this.held = null;
    void held?.dispose().catch(() => {});
  }

  private abortNext(): void {
    const next = this.next;
    this.next = null;
    next?.controller.abort();
  }
}
