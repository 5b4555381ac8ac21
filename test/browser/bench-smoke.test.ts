/**
 * `npm run bench` end to end on the committed tiny model, cut to a few pairs: every part runs (Chromium, the bare
 * session, onnxruntime-node, cold starts), the tables have their rows, and every number is finite and positive.
 * No timing thresholds: this machine's speed is not what is tested.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchOptions, runBench, type BenchResult } from '../../scripts/bench/run.ts';
import { reportMarkdown } from '../../scripts/bench/report.ts';
import type { Spread } from '../../scripts/bench/stats.ts';
import { chromiumSkipReason } from '../../tools/browser/harness.ts';

const skip = chromiumSkipReason();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));

function positive(value: number | null | undefined, what: string): void {
  expect(Number.isFinite(value), `${what} = ${value}`).toBe(true);
  expect(value!, what).toBeGreaterThan(0);
}

function positiveSpread(s: Spread, what: string): void {
  expect(s.runs, what).toBeGreaterThan(0);
  for (const key of ['median', 'min', 'max'] as const) positive(s[key], `${what}.${key}`);
}

describe.skipIf(skip !== null)('npm run bench on the tiny model', () => {
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('runs every part and reports finite, positive numbers', async () => {
    const result: BenchResult = await runBench(benchOptions({
      preset: 'tiny', quick: true, docs: [8], sweepBatchSizes: [1, 2, 4], sweepPairs: 4, sweepTokens: 64,
      rounds: 1, warmupRounds: 0, sweepRepeats: 1, sweepWarmup: 0, coldStarts: 1, outDir, log: () => {},
    }));
    expect(result.meta.browser.crossOriginIsolated).toBe(true);
    expect(result.meta.info.runtime?.numThreads).toBe(os.cpus().length);

    expect(result.sweep!.rows.map((r) => r.batchSize)).toEqual([1, 2, 4]);
    for (const row of result.sweep!.rows) {
      expect(row.status).toBe('ok');
      positive(row.avgBatchMs, `sweep ${row.batchSize} avgBatchMs`);
      positive(row.pairsPerSecond, `sweep ${row.batchSize} pairs/s`);
      positive(row.wasmHeapBytes, `sweep ${row.batchSize} wasm heap`);
    }

    const [table] = result.strategies!.tables;
    expect(table.docs).toBe(8);
    expect(table.rows.map((r) => r.key)).toEqual(['a', 'b', 'c', 'd']);
    for (const row of table.rows) {
      positiveSpread(row.totalMs, `${row.label} total`);
      for (const key of ['pairsPerSecond', 'tokensPerSecond', 'vsLoop', 'vsFixed16'] as const) positive(row[key], `${row.label} ${key}`);
      expect(row.paddedShare).toBeGreaterThanOrEqual(0);
      expect(row.paddedShare).toBeLessThan(1);
    }
    expect(table.rows[0].paddedShare).toBe(0); // one pair per run: nothing to pad
    expect(table.rows[0].batches).toBe(8);
    for (const row of table.rows) expect(row.runs).toBeGreaterThanOrEqual(row.batches);

    expect(result.tuning!.length).toBe(2);
    for (const row of result.tuning!) {
      positiveSpread(row.before, `${row.workload} before`);
      positiveSpread(row.after, `${row.workload} after`);
      positive(row.speedup, `${row.workload} speed-up`);
    }

    expect(result.ceiling!.length).toBe(2);
    for (const row of result.ceiling!) {
      for (const key of ['ours', 'oursSame', 'oursRun', 'bare', 'native'] as const) positiveSpread(row[key], `${row.workload} ${key}`);
      positive(row.browserOverNative, 'browser / native');
      positive(row.oursOverBare, 'ours / bare');
    }

    const [cached, server] = result.coldStart!;
    expect(cached.filesFromCache).toBe(cached.files);
    expect(server.filesFromCache).toBe(0);
    for (const row of result.coldStart!) {
      positiveSpread(row.loadMs, `${row.source} loadMs`);
      positiveSpread(row.firstScoreSinceNavigationMs, `${row.source} first score`);
    }

    const markdown = reportMarkdown(result);
    for (const heading of ["### 1. The seed's table", '### 2. Strategies', '### Speed-ups', '### 3. The ceiling', '### 4. Cold start']) {
      expect(markdown).toContain(heading);
    }
    // Every table row has the same number of cells as its header.
    for (const block of markdown.split('\n\n').filter((b) => b.startsWith('|'))) {
      const lines = block.trim().split('\n');
      const cells = (line: string) => line.split(' | ').length;
      for (const line of lines.slice(2)) expect(cells(line), line).toBe(cells(lines[0]));
    }
    expect(markdown).not.toMatch(/NaN|Infinity/);
  }, 90_000);
});
