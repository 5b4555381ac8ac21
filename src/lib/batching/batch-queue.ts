/**
 * Dynamic batching: rows from concurrent calls share batches. A batch runs as soon as it is full; a partial batch
 * runs once its oldest row has waited `maxWaitMs` (the seed's 10–50 ms async queue). Rows only share a batch with
 * rows of the same batching policy, so a call asking for "fixed 16 in arrival order" gets exactly that. Which rows
 * form a batch and as which tensors it runs is decided by the planner (batching.ts) alone; a lone call with
 * maxWaitMs 0 runs exactly as `planBatches` plans it. Each caller gets its own rows' logits, in its order.
 */
import { AbortError, DisposedError, OutOfMemoryError } from '../errors.ts';
import { planTensors, takeBatch, type BatchPolicy } from './batching.ts';
import type { TokenRow } from './padding.ts';
import type { BatchEvent, BatchRecord, Device } from '../types.ts';

export type { BatchPolicy };

export interface QueuedRow extends TokenRow {
  /** Time spent tokenizing this row, for the batch record. */
  tokenizeMs: number;
}

/** Runs one tensor: these rows padded to the longest, exactly as given. Resolves to one logit per row. */
export type RunTensor = (rows: readonly TokenRow[]) => Promise<number[]>;

export interface QueueOptions {
  run: RunTensor;
  /** The device the next batch runs on: the planner splits tensors by length on wasm only. */
  backend: () => Device;
  /** How long a partial batch waits for company (ms). */
  maxWaitMs?: number;
  /**
   * Called when a batch fails with something other than out-of-memory (a lost device, say). Resolves to the
   * recovery event (e.g. the session recreated on wasm) when the batch should be retried, or null to fail it.
   */
  recover?: (error: unknown) => Promise<Extract<BatchEvent, { type: 'recovered' }> | null>;
}

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

/** A batch on its way to the session, with what happened to it so far (splits, recoveries). */
interface Attempt {
  rows: PendingRow[];
  /** The batching of the pool the rows came from. */
  policy: BatchPolicy;
  events: BatchEvent[];
  recoveries: number;
}

const paddedSize = (rows: readonly PendingRow[]) => rows.length * rows.reduce((m, p) => Math.max(m, p.length), 0);

interface Pool {
  policy: BatchPolicy;
  rows: PendingRow[];
}

/**
 * Lets queued macrotasks run (an abort message from the UI thread, a timer) between batches. Without it, a session
 * whose runs resolve through microtasks alone would drain the whole queue before any cancellation arrives.
 */
function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel(); // unlike setTimeout(0), not clamped to 4 ms when nested
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

const policyKey = (p: BatchPolicy) =>
  `${p.mode}:${p.batchSize}:${p.mode === 'tokens' ? `${p.maxBatchTokens}:${p.lengthGroups !== false}` : 0}`;

/** Takes the planner's next batch out of a pool, or null when it would be partial and may still wait. */
function takeFromPool(pool: Pool, force: boolean, maxPaddedTokens: number): PendingRow[] | null {
  const picked = takeBatch(pool.rows.map((p) => p.length), pool.policy, { force, maxPaddedTokens });
  if (!picked) return null;
  const chosen = new Set(picked);
  const batch = picked.map((i) => pool.rows[i]);
  pool.rows = pool.rows.filter((_, i) => !chosen.has(i));
  return batch;
}

export class BatchQueue {
  private readonly pools = new Map<string, Pool>();
  /** Halves of batches that ran out of memory: they run before anything new. */
  private readonly retries: Attempt[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private readonly run: RunTensor;
  private readonly backend: () => Device;
  private readonly maxWaitMs: number;
  private readonly recover: QueueOptions['recover'];
  /** Largest padded batch (rows × longest row) allowed, learned from out-of-memory errors. */
  private maxPaddedTokens = Number.POSITIVE_INFINITY;

  constructor(options: QueueOptions) {
    this.run = options.run;
    this.backend = options.backend;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.recover = options.recover;
  }

  /** The memory cap learned so far (null while no batch has run out of memory). */
  get learnedMaxPaddedTokens(): number | null {
    return Number.isFinite(this.maxPaddedTokens) ? this.maxPaddedTokens : null;
  }

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
    for (const attempt of this.retries) attempt.rows = attempt.rows.filter((p) => p.ticket !== ticket);
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
        await this.runAttempt(next);
        await yieldToEventLoop();
      }
    } finally {
      this.running = false;
      this.markIdle();
    }
  }

  /** The next batch to run, ms to wait before a partial batch may run, or 'empty'. */
  private nextBatch(): Attempt | number | 'empty' {
    while (this.retries.length > 0) {
      const retry = this.retries.shift()!;
      if (retry.rows.length > 0) return retry;
    }
    return this.nextFresh();
  }

  private nextFresh(): Attempt | number | 'empty' {
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
    const batch = takeFromPool(oldest, force, this.maxPaddedTokens);
    if (batch) return { rows: batch, policy: oldest.policy, events: [], recoveries: 0 };
    // Another pool may hold a full batch now.
    for (const pool of this.pools.values()) {
      if (pool === oldest) continue;
      const full = takeFromPool(pool, false, this.maxPaddedTokens);
      if (full) return { rows: full, policy: pool.policy, events: [], recoveries: 0 };
    }
    return Math.max(1, this.maxWaitMs - waited);
  }

  private async runAttempt(attempt: Attempt): Promise<void> {
    const batch = attempt.rows;
    const start = performance.now();
    const tensors = planTensors(batch.map((p) => p.length), attempt.policy, this.backend());
    const logits = new Array<number>(batch.length);
    try {
      for (const tensor of tensors) {
        const values = await this.run(tensor.map((i) => batch[i].ticket.rows[batch[i].row]));
        tensor.forEach((i, k) => {
          logits[i] = values[k];
        });
      }
    } catch (error) {
      await this.handleFailure(attempt, error);
      return;
    }
    const runMs = performance.now() - start;
    const sequenceLength = batch.reduce((m, p) => Math.max(m, p.length), 0);
    const tokens = batch.reduce((n, p) => n + p.length, 0);
    const tokenizeMs = batch.reduce((n, p) => n + p.ticket.rows[p.row].tokenizeMs, 0);
    const shapes = tensors.map((t) => ({ pairs: t.length, sequenceLength: t.reduce((m, i) => Math.max(m, batch[i].length), 0) }));
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
          paddedTokens: shapes.reduce((n, t) => n + t.pairs * t.sequenceLength, 0),
          sequenceLength,
          tensors: shapes,
          tokenizeMs,
          runMs,
          totalMs,
          pairsPerSecond: (batch.length * 1000) / totalMs,
          backend: this.backend(),
          ...(attempt.events.length > 0 ? { events: attempt.events } : {}),
        });
      } catch (error) {
        this.cancel(ticket, error); // a throwing callback fails its own call, not the others
        continue;
      }
      if (ticket.done === ticket.rows.length) this.settle(ticket);
    }
  }

  /**
   * Out of memory: split the batch in two, run the halves first, and never again form a batch as large (no pair is
   * lost or scored twice). Anything else: let `recover` try (e.g. a new session after a lost device) and retry once
   * per recovery, up to twice; otherwise fail the calls in the batch.
   */
  private async handleFailure(attempt: Attempt, error: unknown): Promise<void> {
    const batch = attempt.rows;
    if (error instanceof OutOfMemoryError && batch.length > 1) {
      const size = paddedSize(batch);
      const mid = Math.ceil(batch.length / 2);
      const halves = [batch.slice(0, mid), batch.slice(mid)];
      this.maxPaddedTokens = Math.min(this.maxPaddedTokens, Math.max(...halves.map(paddedSize)));
      const event: BatchEvent = { type: 'out-of-memory-split', pairs: batch.length, paddedTokens: size, maxPaddedTokens: this.maxPaddedTokens };
      this.retries.unshift(...halves.map((rows) => ({ ...attempt, rows, events: [...attempt.events, event] })));
      return;
    }
    if (!(error instanceof OutOfMemoryError) && this.recover && attempt.recoveries < 2) {
      let recovered: BatchEvent | null = null;
      try {
        recovered = await this.recover(error);
      } catch (recoveryError) {
        error = recoveryError;
      }
      if (recovered) {
        this.retries.unshift({ ...attempt, events: [...attempt.events, recovered], recoveries: attempt.recoveries + 1 });
        return;
      }
    }
    for (const p of batch) this.cancel(p.ticket, error);
  }
}
