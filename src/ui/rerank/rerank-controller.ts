/**
 * One rerank as async UI state (a TaskController: INITIAL | PENDING | COMPLETE | ERROR, an AbortController per run,
 * stale results dropped), with the batch records collected live as the worker reports them.
 */
import type { BatchRecord, RerankResult } from '../../lib/types.ts';
import type { AppReranker } from '../app/reranker-source.ts';
import type { RerankRequest } from './rerank-request.ts';
import { abortable } from '../shared/abortable.ts';
import { TaskController } from '../shared/task-controller.ts';

export interface RerankOutcome {
  /** The input as it was when the run started: results index into these documents. */
  request: RerankRequest;
  results: RerankResult[];
  /** From the click to the results, messaging to and from the worker included. */
  wallMs: number;
}

/** How often a running rerank's new batch records reach the page: ten times a second reads as live. */
const FLUSH_INTERVAL_MS = 100;

export class RerankController extends TaskController<[AppReranker, RerankRequest], RerankOutcome> {
  /** The model and input of the latest run (its value or error is for these): the panel marks them when they change. */
  lastRun: { reranker: AppReranker; request: RerankRequest } | null = null;
  /** The running (or last) run's batches, in the order they completed. */
  records: BatchRecord[] = [];
  /**
   * Records received since the last render. Hundreds of small batches re-render the timing at most every
   * `FLUSH_INTERVAL_MS`, not once each (nor once a frame): each render lays out the whole table and redraws the chart.
   */
  private arrived: BatchRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  run(reranker: AppReranker, request: RerankRequest): Promise<void> {
    return this.runTask(reranker, request);
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  protected async work([reranker, request]: [AppReranker, RerankRequest], signal: AbortSignal): Promise<RerankOutcome> {
    this.records = [];
    this.arrived = [];
    this.lastRun = { reranker, request };
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
          this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
        },
      }),
      signal,
    ).finally(() => {
      if (!signal.aborted) this.flush();
    });
    return { request, results, wallMs: performance.now() - started };
  }

  private flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.arrived.length === 0) return;
    this.records = [...this.records, ...this.arrived];
    this.arrived = [];
    this.host.requestUpdate();
  }
}
