/**
 * The knee of a batch-size sweep: the smallest batch size worth using, named only where the differences between
 * rows exceed the run-to-run noise the rows report.
 */
/** How a sweep row ended: it ran, ran out of memory, or failed otherwise. */
export type SweepStatus = 'ok' | 'oom' | 'error';

/** Share of the best throughput a batch size must reach to be the knee (see `kneeOf`). */
export const KNEE_SHARE = 0.9;

/** What `findKnee` reads of a row; a row without `status` counts as ok, one without a spread as exact. */
export interface KneeInput {
  batchSize: number;
  pairsPerSecond: number | null;
  status?: SweepStatus;
  runs?: number;
  pairsPerSecondMin?: number | null;
  pairsPerSecondMax?: number | null;
}

/** A knee the rows support; or none, and why not. */
export type Knee =
  | { clear: true; batchSize: number; best: number }
  /** `between`: the smallest batch sizes that may be the knee, as far as the noise lets one tell. */
  | { clear: false; reason: string; between?: [number, number] };

export interface KneeOptions {
  /** Fewer measured runs than this in any ok row: no knee (the spread is unknown). Default 1. */
  minRuns?: number;
}

/**
 * The knee: the smallest batch size reaching `KNEE_SHARE` (90 %) of the best pairs/s among the `'ok'` rows; past it,
 * bigger batches buy at most 10 % more for more latency and memory (the seed's reason for batch 8–16).
 *
 * Called only where the noise cannot move it. Each row's runs span [slowest, fastest]; the best is at least the highest
 * slowest run and at most the highest fastest run. Rows under 90 % of the least best even at their fastest are below
 * the knee; the knee is the smallest other row, if even its slowest run reaches 90 % of the most best. Otherwise the
 * next sweep could name another: "no clear knee", with the two candidates where there are two. Rows without a spread
 * count as exact (the plain 90 % rule).
 *
 * @example
 * findKnee([{ batchSize: 4, pairsPerSecond: 350, pairsPerSecondMin: 340, pairsPerSecondMax: 360 },
 *           { batchSize: 8, pairsPerSecond: 560, pairsPerSecondMin: 555, pairsPerSecondMax: 565 },
 *           { batchSize: 16, pairsPerSecond: 600, pairsPerSecondMin: 590, pairsPerSecondMax: 610 }])
 * // → { clear: true, batchSize: 8, best: 16 }   (555 ≥ 0.9 × 610; 360 < 0.9 × 590)
 * // with batch 4 at 500–560 instead: → { clear: false, between: [4, 8], reason: 'batch 4 (500–560 pairs/s) may or …' }
 */
export function findKnee(rows: readonly KneeInput[], { minRuns = 1 }: KneeOptions = {}): Knee {
  const ok = rows.filter((r) => (r.status ?? 'ok') === 'ok' && r.pairsPerSecond !== null && Number.isFinite(r.pairsPerSecond))
    .sort((a, b) => a.batchSize - b.batchSize);
  if (ok.length === 0) return { clear: false, reason: 'no batch size completed' };
  const few = ok.find((r) => (r.runs ?? minRuns) < minRuns);
  if (few) {
    return { clear: false, reason: `batch ${few.batchSize} has ${few.runs} measured run${few.runs === 1 ? '' : 's'}: ` +
      `at least ${minRuns} per size are needed to tell the noise` };
  }
  const lo = (r: KneeInput) => r.pairsPerSecondMin ?? r.pairsPerSecond!;
  const hi = (r: KneeInput) => r.pairsPerSecondMax ?? r.pairsPerSecond!;
  const best = ok.reduce((a, b) => (b.pairsPerSecond! > a.pairsPerSecond! ? b : a));
  const [bestLo, bestHi] = [Math.max(...ok.map(lo)), Math.max(...ok.map(hi))];
  const reaches = (r: KneeInput) => lo(r) >= KNEE_SHARE * bestHi;
  const candidate = ok.find((r) => hi(r) >= KNEE_SHARE * bestLo)!;
  if (reaches(candidate)) return { clear: true, batchSize: candidate.batchSize, best: best.batchSize };
  const range = (r: KneeInput) => `${round(lo(r))}–${round(hi(r))} pairs/s`;
  const share = `${KNEE_SHARE * 100} %`;
  const next = ok.find((r) => r.batchSize > candidate.batchSize && reaches(r));
  if (!next) {
    return { clear: false, reason: `no batch size reaches ${share} of the best in every run: the runs vary more than that ` +
      `(the best, batch ${best.batchSize}: ${range(best)}; the fastest run: ${round(bestHi)} pairs/s)` };
  }
  return {
    clear: false,
    between: [candidate.batchSize, next.batchSize],
    reason: `batch ${candidate.batchSize} (${range(candidate)}) may or may not reach ${share} of the best, ` +
      `batch ${best.batchSize} (${range(best)}): the knee is ${candidate.batchSize} or ${next.batchSize}`,
  };
}

const round = (n: number) => (n >= 100 ? n.toFixed(0) : n.toPrecision(3));

/**
 * `findKnee`'s batch size where the knee is clear, else null.
 *
 * @example
 * kneeOf([{ batchSize: 4, pairsPerSecond: 350 }, { batchSize: 8, pairsPerSecond: 560 }, { batchSize: 16, pairsPerSecond: 600 }])
 * // → 8   (560 ≥ 0.9 × 600)
 */
export function kneeOf(rows: readonly KneeInput[], options?: KneeOptions): number | null {
  const knee = findKnee(rows, options);
  return knee.clear ? knee.batchSize : null;
}
