/**
 * Loading a model as async UI state (a TaskController: INITIAL | PENDING | COMPLETE | ERROR), byte progress per file
 * and overall, cancel, and ownership of the loaded reranker through a RerankerSlot: the loaded model stays usable
 * while the next one loads and when that load fails or is cancelled, and the page follows the model's info when it
 * changes (wasm after a lost GPU device).
 */
import type { ReactiveControllerHost } from 'lit';
import type { ByteCheck, ByteProgress, DownloadResume, LoadProgress, RerankerInfo, RerankerOptions } from '../../lib/types.ts';
import { createAppReranker, type AppReranker } from '../app/reranker-source.ts';
import { RerankerSlot } from '../shared/reranker-slot.ts';
import { TaskController } from '../shared/task-controller.ts';
import { abortable } from '../shared/abortable.ts';
import { knownFileSizes } from './known-model-choice.ts';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number | null;
  done: boolean;
  fromCache: boolean;
  /** `total` is the known model's size for this file: the server did not say (no Content-Length). */
  estimated?: boolean;
  /** The download picked up again instead of starting over (the latest time it did). */
  resumed?: DownloadResume;
  /** Once done: what the bytes were checked against. */
  verified?: ByteCheck;
}

/** Overall bytes; `estimated` when some file's total is the known model's size rather than the server's. */
export interface OverallProgress extends ByteProgress {
  estimated: boolean;
}

export type LoadRequest = Omit<RerankerOptions, 'progress' | 'signal'>;

export class ModelController extends TaskController<[LoadRequest], AppReranker> {
  /** Files of the load in flight, in the order they started, with bytes so far; emptied when a load fails. */
  files = new Map<string, FileProgress>();
  overall: OverallProgress | null = null;
  /** The known sizes of the loading model's files (empty for a model not in KNOWN_MODELS). */
  private knownSizes: Readonly<Record<string, number>> = {};

  private readonly slot = new RerankerSlot<AppReranker>();
  /** Each load is its own slot key: "Reload model" loads again even with the same settings. */
  private loads = 0;
  private watched: { reranker: AppReranker; stop: () => void } | null = null;

  constructor(
    host: ReactiveControllerHost,
    /** Told whenever `reranker` changes, so the host can tell the rest of the app. */
    private readonly onChange: (reranker: AppReranker | null) => void,
    private readonly create: (options: RerankerOptions) => Promise<AppReranker> = createAppReranker,
  ) {
    super(host);
  }

  /** The reranker ready for use: the last one loaded. It stays while a new one loads, and when that fails. */
  get reranker(): AppReranker | null {
    return this.slot.current;
  }

  /** `reranker`'s info, as of now: the worker replaces it after a lost GPU device, and this follows. */
  get info(): RerankerInfo | null {
    return this.slot.current?.info ?? null;
  }

  /** Starts loading; a load already running is cancelled (its late result is disposed, never shown). */
  run(request: LoadRequest): void {
    void this.runTask(request);
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    this.slot.clear();
    this.watch(null);
  }

  protected async work([request]: [LoadRequest], signal: AbortSignal): Promise<AppReranker> {
    this.files = new Map();
    this.overall = null;
    this.knownSizes = knownFileSizes(request.model);
    const id = ++this.loads;
    const onAbort = () => this.slot.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const loading = this.slot.get(`load ${id}`, () => this.create({
        ...request,
        signal,
        // A cancelled load's late progress must not overwrite the next load's bars.
        progress: (event) => signal.aborted || this.onProgress(event),
      }));
      const reranker = await abortable(loading, signal);
      this.watch(reranker);
      return reranker;
    } catch (error) {
      // Nothing half-done stays on screen: the bars of a failed or cancelled load go (the error says what failed),
      // unless a newer load has started filling them.
      if (id === this.loads) {
        this.files = new Map();
        this.overall = null;
      }
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Follows `reranker`'s info changes (re-rendering the host) and tells the app about the new reranker. */
  private watch(reranker: AppReranker | null): void {
    if (this.watched?.reranker === reranker) return;
    this.watched?.stop();
    this.watched = reranker ? { reranker, stop: reranker.onInfoChange(() => this.host.requestUpdate()) } : null;
    this.onChange(reranker);
    this.host.requestUpdate();
  }

  /**
   * The load's overall bytes. Where a server sends no sizes (compressed, without Content-Length) the total is null;
   * then, once every file so far has a size (the server's, the known model's, or a finished file's bytes), their sum.
   */
  private overallOf(overall: ByteProgress): OverallProgress {
    if (overall.total !== null) return { ...overall, estimated: false };
    let total = 0;
    for (const file of this.files.values()) {
      const size = file.done ? file.loaded : file.total;
      if (size === null) return { ...overall, estimated: false };
      total += size;
    }
    return { loaded: overall.loaded, total: Math.max(total, overall.loaded), estimated: true };
  }

  private onProgress(event: LoadProgress): void {
    switch (event.status) {
      case 'initiate':
      case 'download':
        if (!this.files.has(event.file)) this.files.set(event.file, { file: event.file, loaded: 0, total: null, done: false, fromCache: false });
        break;
      case 'progress': {
        const known = event.total === null ? this.knownSizes[event.file] : undefined;
        const resumed = event.resumed ?? this.files.get(event.file)?.resumed;
        this.files.set(event.file, { file: event.file, loaded: event.loaded, total: event.total ?? known ?? null, done: false,
          fromCache: false, estimated: known !== undefined, ...(resumed ? { resumed } : {}) });
        this.overall = this.overallOf(event.overall);
        break;
      }
      case 'done': {
        const resumed = this.files.get(event.file)?.resumed;
        this.files.set(event.file, { file: event.file, loaded: event.bytes, total: event.bytes, done: true, fromCache: event.fromCache,
          ...(resumed ? { resumed } : {}), ...(event.verified ? { verified: event.verified } : {}) });
        this.overall = this.overallOf(event.overall);
        break;
      }
      case 'ready':
        break;
    }
    this.host.requestUpdate();
  }
}
