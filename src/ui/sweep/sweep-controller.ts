/**
 * The batch-size sweep as async UI state (a TaskController), with rows arriving live from `runSweep`. Timing happens in
 * the worker; this only collects rows.
 */
import { runSweep, type SweepRow } from '../../lib/sweep/sweep.ts';
import type { RerankerInfo } from '../../lib/types.ts';
import type { AppReranker } from '../app/reranker-source.ts';
import { abortable } from '../shared/abortable.ts';
import { TaskController } from '../shared/task-controller.ts';

export interface SweepSettings {
  batchSizes: number[];
  warmup: number;
  repeats: number;
  pairs: [string, string][];
}

export interface SweepRun {
  settings: Omit<SweepSettings, 'pairs'> & { pairs: number };
  info: RerankerInfo;
  startedAt: string;
}

export class SweepController extends TaskController<[AppReranker, SweepSettings], SweepRow[]> {
  /** Rows of the running (or last) sweep, as they complete; kept when the sweep is cancelled. */
  rows: SweepRow[] = [];
  /** What the rows were measured with, for the export. */
  run: SweepRun | null = null;
  /** The reranker the rows were measured on: the panel marks them once another model is loaded. */
  measuredOn: AppReranker | null = null;
  /** The batch size being measured now. */
  current: number | null = null;

  start(reranker: AppReranker, settings: SweepSettings): Promise<void> {
    return this.runTask(reranker, settings);
  }

  protected async work([reranker, settings]: [AppReranker, SweepSettings], signal: AbortSignal): Promise<SweepRow[]> {
    this.rows = [];
    this.measuredOn = reranker;
    this.run = {
      settings: { batchSizes: settings.batchSizes, warmup: settings.warmup, repeats: settings.repeats, pairs: settings.pairs.length },
      info: reranker.info,
      startedAt: new Date().toISOString(),
    };
    this.current = settings.batchSizes[0] ?? null;
    try {
      return await abortable(
        runSweep(reranker, settings.pairs, {
          batchSizes: settings.batchSizes,
          warmup: settings.warmup,
          repeats: settings.repeats,
          signal,
          memory: () => reranker.memory(),
          onRow: (row) => {
            if (signal.aborted) return;
            this.rows = [...this.rows, row];
            this.current = settings.batchSizes[this.rows.length] ?? null;
            this.host.requestUpdate();
          },
        }),
        signal,
      );
    } finally {
      // An aborted run may have been replaced by a newer one, whose `current` this must not clear.
      if (!signal.aborted) this.current = null;
    }
  }
}
