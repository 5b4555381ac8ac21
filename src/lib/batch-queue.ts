/**
 * Dynamic batching: rows from concurrent calls share batches. A batch runs as soon as it is full; a partial batch
 * runs once its oldest row has waited `maxWaitMs` (the seed's 10–50 ms async queue). Rows only share a batch with
 * rows of the same batching policy, so a call asking for "fixed 16 in arrival order" gets exactly that. A lone call
 * with maxWaitMs 0 is batched exactly as `planBatches` would. Each caller gets its own rows' logits, in its order.
 */
import { AbortError, DisposedError } from './errors.ts';
import type { BatchingMode } from './batching.ts';
import type { BatchRecord, Device } from './types.ts';

export interface BatchPolicy {
  mode: BatchingMode;
  batchSize: number;
  maxBatchTokens: number;
}

export interface QueuedRow {
  ids: readonly number[];
  /** Time spent tokenizing this row, for the batch record. */
  tokenizeMs: number;
}

export type RunRows = (rows: readonly (readonly number[])[]) => Promise<number[]>;

interface Ticket {
  rows: readonly QueuedRow[];
  logits: Float64Array;
  done: number;
  batches: number;
  settled: boolean;
  onBatch?: (record: BatchRecord) => void;
  resolve(logits: Float64Array): void;
  reject(error: unknown): void;
  detach(): void;
}

interface PendingRow {
  ticket: Ticket;
  row: number;
  length: number;
  enqueuedAt: number;
}

interface Pool {
  policy: BatchPolicy;
  rows: PendingRow[];
}

const policyKey = (p: BatchPolicy) => `${p.mode}:${p.batchSize}:${p.mode === 'tokens' ? p.maxBatchTokens : 0}`;

/**
 * Picks the next batch from a pool, or null when the batch would be partial and may still wait.
 * `tokens`: longest rows first, packed while rows × longest ≤ maxBatchTokens; `fixed`: arrival order.
 */
function takeBatch(pool: Pool, force: boolean): PendingRow[] | null {
  const { policy, rows } = pool;
  if (policy.mode === 'fixed') {
    if (rows.length < policy.batchSize && !force) return null;
    return rows.splice(0, policy.batchSize);
  }
  const order = rows.map((_, i) => i).sort((a, b) => rows[b].length - rows[a].length || a - b);
  const picked: number[] = [];
  let longest = 0;
  let full = false;
  for (const i of order) {
    const next = Math.max(longest, rows[i].length);
    if (picked.length > 0 && ((picked.length + 1) * next > policy.maxBatchTokens || picked.length >= policy.batchSize)) {
      full = true;
      break;
    }
    picked.push(i);
    longest = next;
  }
  if (!full && !force) return null;
  const chosen = new Set(picked);
  const batch = picked.map((i) => rows[i]);
  pool.rows = rows.filter((_, i) => !chosen.has(i));
  return batch;
}

export class BatchQueue {
  private readonly pools = new Map<string, Pool>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(
    private readonly run: RunRows,
    private readonly backend: () => Device,
    private readonly maxWaitMs = 0,
  ) {}

  /** Queues one call's rows; resolves with their logits in row order. */
  submit(rows: readonly QueuedRow[], policy: BatchPolicy, options: { signal?: AbortSignal; onBatch?: (r: BatchRecord) => void } = {}): Promise<Float64Array> {
    return new Promise<Float64Array>((resolve, reject) => {
      if (this.closed) return reject(new DisposedError('this reranker was disposed'));
      const { signal } = options;
      if (signal?.aborted) return reject(new AbortError('reranking was aborted', { cause: signal.reason }));
      const onAbort = () => this.cancel(ticket, new AbortError('reranking was aborted', { cause: signal?.reason }));
      const ticket: Ticket = {
        rows,
        logits: new Float64Array(rows.length),
        done: 0,
        batches: 0,
        settled: false,
        onBatch: options.onBatch,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (rows.length === 0) return this.settle(ticket);
      const key = policyKey(policy);
      let pool = this.pools.get(key);
      if (!pool) this.pools.set(key, (pool = { policy, rows: [] }));
      const now = performance.now();
      rows.forEach((r, row) => pool.rows.push({ ticket, row, length: r.ids.length, enqueuedAt: now }));
      this.schedule();
    });
  }

  /** Stops taking work, fails everything still queued, and waits for the batch in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const pool of this.pools.values()) {
      for (const p of pool.rows) this.fail(p.ticket, new DisposedError('this reranker was disposed'));
    }
    this.pools.clear();
    await this.idle;
  }

  private settle(ticket: Ticket): void {
    ticket.settled = true;
    ticket.detach();
    ticket.resolve(ticket.logits);
  }

  private fail(ticket: Ticket, error: unknown): void {
    if (ticket.settled) return;
    ticket.settled = true;
    ticket.detach();
    ticket.reject(error);
  }

  /** Removes a call's queued rows; rows already in a running batch finish and are ignored. */
  private cancel(ticket: Ticket, error: unknown): void {
    for (const pool of this.pools.values()) pool.rows = pool.rows.filter((p) => p.ticket !== ticket);
    this.fail(ticket, error);
  }

  private schedule(): void {
    if (this.running) return;
    queueMicrotask(() => void this.pump());
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    clearTimeout(this.timer);
    try {
      for (;;) {
        const next = this.nextBatch();
        if (next === 'empty') return;
        if (typeof next === 'number') {
          this.timer = setTimeout(() => void this.pump(), next);
          return;
        }
        await this.runBatch(next);
      }
    } finally {
      this.running = false;
      this.markIdle();
    }
  }

  /** The next batch to run, ms to wait before a partial batch may run, or 'empty'. */
  private nextBatch(): PendingRow[] | number | 'empty' {
    // Serve the pool whose oldest row has waited longest, so no policy starves another.
    let oldest: Pool | undefined;
    for (const [key, pool] of this.pools) {
      if (pool.rows.length === 0) {
        this.pools.delete(key);
        continue;
      }
      if (!oldest || pool.rows[0].enqueuedAt < oldest.rows[0].enqueuedAt) oldest = pool;
    }
    if (!oldest) return 'empty';
    const waited = performance.now() - oldest.rows[0].enqueuedAt;
    const force = waited >= this.maxWaitMs;
    const batch = takeBatch(oldest, force);
    if (batch) return batch;
    // Another pool may hold a full batch now.
    for (const pool of this.pools.values()) {
      if (pool === oldest) continue;
      const full = takeBatch(pool, false);
      if (full) return full;
    }
    return Math.max(1, this.maxWaitMs - waited);
  }

  private async runBatch(batch: PendingRow[]): Promise<void> {
    const start = performance.now();
    let logits: number[];
    try {
      logits = await this.run(batch.map((p) => p.ticket.rows[p.row].ids));
    } catch (error) {
      for (const p of batch) this.cancel(p.ticket, error);
      return;
    }
    const runMs = performance.now() - start;
    const sequenceLength = batch.reduce((m, p) => Math.max(m, p.length), 0);
    const tokens = batch.reduce((n, p) => n + p.length, 0);
    const tokenizeMs = batch.reduce((n, p) => n + p.ticket.rows[p.row].tokenizeMs, 0);
    const own = new Map<Ticket, number>();
    batch.forEach((p, i) => {
      p.ticket.logits[p.row] = logits[i];
      own.set(p.ticket, (own.get(p.ticket) ?? 0) + 1);
    });
    const totalMs = tokenizeMs + (performance.now() - start);
    for (const [ticket, ownPairs] of own) {
      if (ticket.settled) continue;
      ticket.done += ownPairs;
      try {
        ticket.onBatch?.({
          index: ticket.batches++,
          pairs: batch.length,
          ownPairs,
          done: ticket.done,
          total: ticket.rows.length,
          tokens,
          paddedTokens: batch.length * sequenceLength,
          sequenceLength,
          tokenizeMs,
          runMs,
          totalMs,
          pairsPerSecond: (batch.length * 1000) / totalMs,
          backend: this.backend(),
        });
      } catch (error) {
        this.cancel(ticket, error); // a throwing callback fails its own call, not the others
        continue;
      }
      if (ticket.done === ticket.rows.length) this.settle(ticket);
    }
  }
}
