/**
 * How far one backend's logits are from the reference's, and whether they rank each query's documents the same way.
 *
 * @example
 * compareLogits([0.1, 0.3, -1], [0.1, 0.29, -1.2], [0, 0, 0])
 * // → { maxAbsDiff: 0.2, meanAbsDiff: 0.07, finite: true, groups: 1, spearmanMean: 1, spearmanMin: 1, top1Agree: 1 }
 */
export interface Agreement {
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Every logit is a finite number. */
  finite: boolean;
  /** Queries with at least two documents. */
  groups: number;
  /** Spearman's rank correlation per query, averaged, and the worst query's. */
  spearmanMean: number;
  spearmanMin: number;
  /** Queries whose best document is the same. */
  top1Agree: number;
}

/** 1-based ranks, ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) out[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation of the ranks; 1 when both sides are constant, 0 when only one is. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  if (da === 0 && db === 0) return 1;
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

function argmax(values: readonly number[]): number {
  return values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
}

export function compareLogits(got: readonly number[], reference: readonly number[], groups: readonly number[]): Agreement {
  if (got.length !== reference.length) throw new Error(`${got.length} logits vs ${reference.length} reference logits`);
  let maxAbsDiff = 0;
  let sum = 0;
  let finite = true;
  got.forEach((x, i) => {
    if (!Number.isFinite(x)) finite = false;
    const d = Math.abs(x - reference[i]!);
    maxAbsDiff = Number.isFinite(d) ? Math.max(maxAbsDiff, d) : Infinity;
    sum += d;
  });
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  const correlations: number[] = [];
  let top1Agree = 0;
  for (const indices of members.values()) {
    if (indices.length < 2) continue;
    const a = indices.map((i) => got[i]!);
    const b = indices.map((i) => reference[i]!);
    correlations.push(spearman(a, b));
    if (argmax(a) === argmax(b)) top1Agree++;
  }
  return {
    maxAbsDiff,
    meanAbsDiff: sum / Math.max(1, got.length),
    finite,
    groups: correlations.length,
    spearmanMean: correlations.reduce((s, x) => s + x, 0) / Math.max(1, correlations.length),
    spearmanMin: correlations.reduce((m, x) => Math.min(m, x), 1),
    top1Agree,
  };
}

/**
 * A two-label model's relevance logit is label 1 − label 0, so its sigmoid is the softmax's relevant probability: the
 * largest difference between two such probabilities.
 *
 * @example
 * maxProbabilityDiff([0, 2], [0, 1]) // → 0.1497 (σ(2) − σ(1))
 */
export function maxProbabilityDiff(got: readonly number[], reference: readonly number[]): number {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  return got.reduce((m, x, i) => Math.max(m, Math.abs(sigmoid(x) - sigmoid(reference[i]!))), 0);
}
