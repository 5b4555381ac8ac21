/**
 * The one lifecycle of the UI's long work (a model load, a rerank, a sweep): a @lit/task Task (INITIAL | PENDING |
 * COMPLETE | ERROR, an AbortController per run, a newer run aborting the older, stale results dropped), cancelled when
 * the user asks and when the host element leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Task, TaskStatus } from '@lit/task';

export abstract class TaskController<Args extends readonly unknown[], Value> implements ReactiveController {
  private readonly task: Task<Args, Value>;

  constructor(protected readonly host: ReactiveControllerHost) {
    host.addController(this);
    this.task = new Task<Args, Value>(host, {
      autoRun: false,
      task: (args, { signal }) => this.work(args, signal),
    });
  }

  /** The work of one run; `signal` aborts on cancel, on a newer run and when the host disconnects. */
  protected abstract work(args: Args, signal: AbortSignal): Promise<Value>;

  get status(): TaskStatus {
    return this.task.status;
  }

  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  /** The last run's value, while its status is COMPLETE. */
  get value(): Value | undefined {
    return this.task.value;
  }

  get error(): unknown {
    return this.task.error;
  }

  /** Starts a run (aborting the one in flight); resolves when it settles, never rejects: read `status` and `error`. */
  protected runTask(...args: Args): Promise<void> {
    return this.task.run(args).catch(() => {});
  }

  cancel(): void {
    this.task.abort();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.task.abort();
  }
}
