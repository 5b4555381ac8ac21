/** What a sweep's rows give: the knee (kneeOf, findKnee), latency statistics and the CSV export. */
import { describe, expect, it } from 'vitest';
import { distribution, findKnee, kneeOf, median, quantile, sweepToCsv, type SweepRow } from '../../src/lib/sweep/sweep.ts';

describe('kneeOf', () => {
  it('is the smallest batch size within 90 % of the best throughput', () => {
    const rows = [1, 2, 4, 8, 16, 32].map((batchSize, i) => ({ batchSize, pairsPerSecond: [100, 190, 500, 560, 600, 610][i] }));
    expect(kneeOf(rows)).toBe(8); // 560 ≥ 549 = 0.9 × 610; 500 is not
    expect(kneeOf([{ batchSize: 4, pairsPerSecond: 90 }, { batchSize: 8, pairsPerSecond: 100 }])).toBe(4); // exactly 90 % counts
  });

  it("uses the seed's measured rows and ignores the oom row", () => {
    const seed: Pick<SweepRow, 'batchSize' | 'pairsPerSecond' | 'status'>[] = [
      { batchSize: 1, pairsPerSecond: 20.8, status: 'ok' },
      { batchSize: 2, pairsPerSecond: 38.5, status: 'ok' },
      { batchSize: 4, pairsPerSecond: 69.0, status: 'ok' },
      { batchSize: 8, pairsPerSecond: 114.3, status: 'ok' },
      { batchSize: 16, pairsPerSecond: 168.4, status: 'ok' },
      { batchSize: 32, pairsPerSecond: null, status: 'oom' },
    ];
    expect(kneeOf(seed)).toBe(16);
    expect(kneeOf([{ batchSize: 8, pairsPerSecond: 1000, status: 'error' }, ...seed])).toBe(16);
    expect(kneeOf([])).toBeNull();
  });

  it('works whatever order the rows come in', () => {
    expect(kneeOf([{ batchSize: 16, pairsPerSecond: 95 }, { batchSize: 4, pairsPerSecond: 91 }, { batchSize: 64, pairsPerSecond: 100 }])).toBe(4);
  });
});

describe('findKnee: only where the noise cannot move it', () => {
  /** Rows from [batchSize, slowest, fastest] run; the point estimate is the middle. */
  const rowsOf = (spec: [number, number, number][]) =>
    spec.map(([batchSize, lo, hi]) => ({ batchSize, pairsPerSecond: (lo + hi) / 2, pairsPerSecondMin: lo, pairsPerSecondMax: hi, runs: 3, status: 'ok' as const }));

  it('calls the knee when the rows around it are apart by more than their spread', () => {
    const rows = rowsOf([[1, 95, 105], [2, 180, 200], [4, 330, 360], [8, 555, 565], [16, 590, 610], [32, 595, 615]]);
    // 8 reaches 90 % of the best even at its slowest (555 ≥ 0.9 × 615); 4 stays below at its fastest (360 < 0.9 × 595).
    expect(findKnee(rows)).toEqual({ clear: true, batchSize: 8, best: 32 });
    expect(kneeOf(rows)).toBe(8);
  });

  it('says "no clear knee" when a row straddles 90 % of the best within its noise (the knee that flipped 8 ↔ 4)', () => {
    // Two sweeps of the same settings: by the plain 90 % rule on the point estimates, the first says 4, the second 8.
    const first = rowsOf([[2, 300, 330], [4, 530, 570], [8, 575, 610], [16, 590, 625]]);
    const second = rowsOf([[2, 300, 330], [4, 500, 545], [8, 570, 600], [16, 590, 620]]);
    const plain = (rows: typeof first) => kneeOf(rows.map(({ batchSize, pairsPerSecond }) => ({ batchSize, pairsPerSecond })));
    expect([plain(first), plain(second)]).toEqual([4, 8]);
    for (const rows of [first, second]) {
      const knee = findKnee(rows);
      expect(knee).toMatchObject({ clear: false, between: [4, 8] });
      expect(knee.clear || knee.reason).toMatch(/^batch 4 \(\d+–\d+ pairs\/s\) may or may not reach 90 % of the best, batch 16 \(590–6\d\d pairs\/s\): the knee is 4 or 8$/);
      expect(kneeOf(rows)).toBeNull();
    }
  });

  it("takes the best's own noise into account: a best that varies by more than 10 % hides the knee", () => {
    // 8 is best, but its runs span 150–260: nothing is sure to reach 90 % of what 8 may do.
    const noisy = findKnee(rowsOf([[4, 100, 110], [8, 150, 260]]));
    expect(noisy).toMatchObject({ clear: false, reason: expect.stringMatching(/^no batch size reaches 90 % of the best in every run: the runs vary more than that \(the best, batch 8: 150–260 pairs\/s; the fastest run: 260 pairs\/s\)$/) });
    expect(noisy).not.toHaveProperty('between');
    // The same noise on a quiet best: 8 is the knee, 4 is below.
    expect(findKnee(rowsOf([[4, 100, 110], [8, 200, 210]]))).toEqual({ clear: true, batchSize: 8, best: 8 });
    // A best by its middle (8) with a smaller size as sure as it (4): the knee is 4, below the best.
    expect(findKnee(rowsOf([[2, 50, 60], [4, 190, 195], [8, 185, 210]]))).toEqual({ clear: true, batchSize: 4, best: 8 });
  });

  it('needs the runs asked for, and an ok row', () => {
    const one = [{ batchSize: 4, pairsPerSecond: 100, pairsPerSecondMin: 100, pairsPerSecondMax: 100, runs: 1 },
      { batchSize: 8, pairsPerSecond: 200, pairsPerSecondMin: 200, pairsPerSecondMax: 200, runs: 1 }];
    expect(findKnee(one)).toEqual({ clear: true, batchSize: 8, best: 8 });
    expect(findKnee(one, { minRuns: 2 })).toMatchObject({ clear: false, reason: expect.stringMatching(/1 measured run: at least 2/) });
    expect(findKnee([{ batchSize: 4, pairsPerSecond: null, status: 'oom' }])).toEqual({ clear: false, reason: 'no batch size completed' });
  });
});

describe('statistics and export', () => {
  it('takes nearest-rank quantiles', () => {
    expect(quantile([40, 10, 30, 20], 0.5)).toBe(20);
    expect(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
    expect(distribution([5, 1, 3])).toEqual({ min: 1, median: 3, p95: 5, max: 5 });
    expect(median([16, 4])).toBe(10); // not the nearest rank's 4
    expect(distribution([16, 4])?.median).toBe(10);
    expect(distribution([])).toBeNull();
  });

  it('writes CSV with quoted errors and the knee marked', () => {
    const base = { batches: 1, avgBatchMs: 10, p50BatchMs: 10, runs: 2, wasmHeapBytes: 2048, gpuBufferBytes: null, gpuBufferPeakBytes: null };
    const rows: SweepRow[] = [
      { ...base, batchSize: 1, pairsPerSecond: 100, pairsPerSecondMin: 99, pairsPerSecondMax: 101, status: 'ok' },
      { ...base, batchSize: 2, pairsPerSecond: 200.12345, pairsPerSecondMin: 199, pairsPerSecondMax: 201, status: 'ok' },
      { ...base, batchSize: 4, pairsPerSecond: null, pairsPerSecondMin: null, pairsPerSecondMax: null, avgBatchMs: null, p50BatchMs: null, runs: 0,
        status: 'oom', error: 'OutOfMemoryError: at 4, "big"' },
    ];
    expect(sweepToCsv(rows).split('\n')).toEqual([
      'batchSize,batches,avgBatchMs,p50BatchMs,pairsPerSecond,pairsPerSecondMin,pairsPerSecondMax,runs,wasmHeapBytes,gpuBufferBytes,gpuBufferPeakBytes,status,error,knee',
      '1,1,10,10,100,99,101,2,2048,,,ok,,',
      '2,1,10,10,200.123,199,201,2,2048,,,ok,,yes',
      '4,1,,,,,,0,2048,,,oom,"OutOfMemoryError: at 4, ""big""",',
      '',
    ]);
    // Without a clear knee (while the sweep runs, or where the noise hides it), no row is marked.
    expect(sweepToCsv(rows, null)).not.toMatch(/yes/);
  });
});
