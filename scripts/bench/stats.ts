/** Medians and spread for interleaved runs. */
import { quantile } from '../../src/lib/sweep/sweep.ts';

export interface Spread {
  runs: number;
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: how much the runs disagree. */
  spread: number;
}

/**
 * @example
 * spreadOf([10, 12, 11]) // → { runs: 3, median: 11, min: 10, max: 12, spread: 0.18 }
 */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { runs: 0, median: NaN, min: NaN, max: NaN, spread: NaN };
  const median = quantile(values, 0.5);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { runs: values.length, median, min, max, spread: median > 0 ? (max - min) / median : NaN };
}

/** Runs each named step once per round, in the same order every round (A B C A B C ...), after `warmup` rounds. */
export async function interleave<K extends string, T>(
  steps: readonly [K, () => Promise<T>][],
  rounds: number,
  warmup: number,
): Promise<Record<K, T[]>> {
  const results = Object.fromEntries(steps.map(([k]) => [k, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [key, step] of steps) {
      const value = await step();
      if (round >= warmup) results[key].push(value);
    }
  }
  return results;
}
