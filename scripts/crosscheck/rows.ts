/**
 * One measured row of the cross-check (runtime × backend × dtype against PyTorch fp32): what the measuring steps
 * (python-onnx.ts, compact.ts, core-runs.ts) produce and report.ts prints. Here, not in report.ts, so that the steps
 * need nothing from the report.
 *
 * @example
 * const row: Row = { runtime: 'Python', backend: 'onnxruntime CPU', dtype: 'q4', status: 'ok', note: '',
 *   ...measured(logits, { reference, groups, seedIndices }) };
 * // row.agreement.maxAbsDiff → 0.415, row.seedMaxDiff → 0.266
 */
import { compareLogits, type Agreement } from './metrics.ts';

export interface Row {
  runtime: string;
  backend: string;
  dtype: string;
  ran?: { backend: string; dtype: string };
  agreement?: Agreement;
  seedMaxDiff?: number;
  runMs?: number;
  status: 'ok' | 'FAIL' | 'n/a';
  note: string;
}

/** The PyTorch fp32 logits every row is measured against, and how the pairs group. */
export interface Reference {
  reference: readonly number[];
  /** The query each pair belongs to. */
  groups: readonly number[];
  /** The seed's pairs (the ten Chinese pairs), reported apart. */
  seedIndices: readonly number[];
}

/** How far `logits` are from the reference: on all pairs (with rank agreement) and on the seed pairs. */
export function measured(logits: readonly number[], r: Reference): { agreement: Agreement; seedMaxDiff: number } {
  return {
    agreement: compareLogits(logits, r.reference, r.groups),
    seedMaxDiff: r.seedIndices.reduce((m, i) => Math.max(m, Math.abs(logits[i]! - r.reference[i]!)), 0),
  };
}

/** Why these logits fail: non-finite values, or an fp32 file off PyTorch by more than the tolerance (the other dtypes
 * are reported, not gated: quantisation legitimately moves logits). */
export function logitProblems(agreement: Agreement, fp32: boolean, tolerance: number): string[] {
  if (!agreement.finite) return ['non-finite logits'];
  return fp32 && agreement.maxAbsDiff > tolerance ? [`fp32 max |Δ| above ${tolerance}`] : [];
}

/** The largest |a[i] − b[i]|. */
export const maxAbsDiff = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/** A difference as the report prints it: 0, or three significant digits. */
export const fmtDiff = (x: number | undefined | null): string =>
  (x === undefined || x === null ? '–' : x === 0 ? '0' : x.toExponential(2));
