/**
 * Loading a model as async UI state: INITIAL | PENDING | COMPLETE | ERROR (a @lit/task Task), byte progress per file
 * and overall, cancel, and ownership of the loaded reranker (the previous one is disposed before the next loads, so
 * two 570 MB models never sit in memory together).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import type { ByteProgress, LoadProgress, RerankerOptions } from '../lib/types.ts';
import { createAppReranker, type AppReranker } from './reranker-source.ts';
import { abortable } from './abortable.ts';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number | null;
  done: boolean;
  fromCache: boolean;
}

export type LoadRequest = Omit<RerankerOptions, 'progress' | 'signal'>;

export class ModelController implements ReactiveController {
  /** Files in the order they started, with bytes so far. */
  files = new Map<string, FileProgress>();
  overall: ByteProgress | null = null;
  /** The loaded reranker, or null while none is (before the first load, during a load, after a failed one). */
  reranker: AppReranker | null = null;

  private readonly task: Task<[LoadRequest], AppReranker>;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** Told whenever `reranker` changes, so the host can tell the rest of the app. */
    private readonly onChange: (reranker: AppReranker | null) => void,
  ) {
    host.addController(this);
    this.task = new Task(host, {
      autoRun: false,
      task: ([request], { signal }) => this.load(request, signal),
    });
  }

  get status(): TaskStatus {
    return this.task.status;
  }

  get error(): unknown {
    return this.task.error;
  }

  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  /** Starts loading; a load already running is cancelled (its late result is disposed, never shown). */
  run(request: LoadRequest): void {
    void this.task.run([request]).catch(() => {});
  }

  cancel(): void {
    this.task.abort();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.task.abort();
    void this.setReranker(null);
  }

  private async setReranker(next: AppReranker | null): Promise<void> {
    const previous = this.reranker;
    if (previous === next) return;
    this.reranker = next;
    this.onChange(next);
    this.host.requestUpdate();
    await previous?.dispose().catch(() => {});
  }

  private async load(request: LoadRequest, signal: AbortSignal): Promise<AppReranker> {
    this.files = new Map();
    this.overall = null;
    await this.setReranker(null);
    const pending = createAppReranker({
      ...request,
      signal,
      // A cancelled load's late progress must not overwrite the next load's bars.
      progress: (event) => signal.aborted || this.onProgress(event),
    });
    const reranker = await abortable(pending, signal, (late) => void late.dispose().catch(() => {}));
    await this.setReranker(reranker);
    return reranker;
  }

  private onProgress(event: LoadProgress): void {
    switch (event.status) {
      case 'initiate':
      case 'download':
        if (!this.files.has(event.file)) this.files.set(event.file, { file: event.file, loaded: 0, total: null, done: false, fromCache: false });
        break;
      case 'progress':
        this.files.set(event.file, { file: event.file, loaded: event.loaded, total: event.total, done: false, fromCache: false });
        this.overall = event.overall;
        break;
      case 'done':
        this.files.set(event.file, { file: event.file, loaded: event.bytes, total: event.bytes, done: true, fromCache: event.fromCache });
        this.overall = event.overall;
        break;
      case 'ready':
        break;
    }
    this.host.requestUpdate();
  }
}
