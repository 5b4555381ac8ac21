/**
 * One rerank as async UI state (a @lit/task Task: INITIAL | PENDING | COMPLETE | ERROR, an AbortController per run,
 * stale results dropped), with the batch records collected live as the worker reports them.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import type { BatchRecord, RerankResult } from '../lib/types.ts';
import type { AppReranker } from './reranker-source.ts';
import type { RerankRequest } from './rerank-request.ts';
import { abortable } from './abortable.ts';

export interface RerankOutcome {
  /** The input as it was when the run started: results index into these documents. */
  request: RerankRequest;
  results: RerankResult[];
  /** From the click to the results, messaging to and from the worker included. */
  wallMs: number;
}

export class RerankController implements ReactiveController {
  /** The running (or last) run's batches, in the order they completed. */
  records: BatchRecord[] = [];
  /** Records received since the last frame: hundreds of small batches re-render the table once a frame, not once each. */
  private arrived: BatchRecord[] = [];
  private frame: number | null = null;

  private readonly task: Task<[AppReranker, RerankRequest], RerankOutcome>;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
    this.task = new Task(host, {
      autoRun: false,
      task: ([reranker, request], { signal }) => this.rerank(reranker, request, signal),
    });
  }

  get status(): TaskStatus {
    return this.task.status;
  }

  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  get value(): RerankOutcome | undefined {
    return this.task.value;
  }

  get error(): unknown {
    return this.task.error;
  }

  run(reranker: AppReranker, request: RerankRequest): Promise<void> {
    return this.task.run([reranker, request]);
  }

  cancel(): void {
    this.task.abort();
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.task.abort();
  }

  private async rerank(reranker: AppReranker, request: RerankRequest, signal: AbortSignal): Promise<RerankOutcome> {
    this.records = [];
    this.arrived = [];
    const started = performance.now();
    const results = await abortable(
      reranker.rerank(request.query, request.documents, {
        batchSize: request.batchSize,
        batching: request.batching,
        maxBatchTokens: request.maxBatchTokens,
        signal,
        onBatch: (record) => {
          if (signal.aborted) return; // a cancelled run's last records must not land in the next run's table
          this.arrived.push(record);
          this.frame ??= requestAnimationFrame(() => this.flush());
        },
      }),
      signal,
    ).finally(() => {
      if (!signal.aborted) this.flush();
    });
    return { request, results, wallMs: performance.now() - started };
  }

  private flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.arrived.length === 0) return;
    this.records = [...this.records, ...this.arrived];
    this.arrived = [];
    this.host.requestUpdate();
  }
}
