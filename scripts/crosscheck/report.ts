/**
 * The cross-check's results: one row per runtime × backend × dtype, and the markdown / JSON report written from
 * them (step 4 of crosscheck.ts).
 *
 * @example
 * const { failures } = writeReport({ ...measured, rows, outDir });
 * // writes OUT/results.md and OUT/results.json, prints the markdown; failures: [] when every check passed
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Agreement } from './metrics.ts';
import { PROJECT_ROOT } from './venv.ts';
import { quantizerFailures, quantizerLines, type PythonOnnxResult } from './python-onnx.ts';

/** What crosscheck.py writes. */
export interface PythonResult {
  versions: Record<string, string>;
  tokens: { pairs: number; equal: number; templateChecked: number; templateEqual: number; queryCapped: number;
    documentTruncated: number; tokens: number; maxPairTokens: number; mismatches: unknown[] };
  torch: { class: string; attention: string; threads: number; runSeconds: number; logits: number[] };
  crossEncoder?: { class: string; tokenizer: string; sameIds: number; differCappedQuery: number;
    differOther: { index: number; ours: number[]; theirs: number[] }[]; maxDiffSameIds: number | null; runSeconds: number;
    logits: number[] };
}

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

export interface ReportInput {
  modelDir: string;
  outDir: string;
  maxLength: number;
  batchSize: number;
  tolerance: number;
  seed: number;
  pairs: number;
  seedPairs: number;
  queries: number;
  /** Token counts per pair, sorted. */
  lengths: number[];
  config: { num_hidden_layers?: number; hidden_size?: number; generated_by?: { preset?: string } };
  py: PythonResult;
  onnx: PythonOnnxResult | null;
  rows: Row[];
}

const fmt = (x: number | undefined | null) => (x === undefined || x === null ? '–' : x === 0 ? '0' : x.toExponential(2));

export function writeReport(r: ReportInput): { markdown: string; failures: string[] } {
  const t = r.py.tokens;
  const ce = r.py.crossEncoder;
  const lengths = r.lengths;
  const failures = [
    ...(t.equal !== t.pairs ? [`token ids: ${t.pairs - t.equal} pairs differ`] : []),
    ...(t.templateEqual !== t.templateChecked ? [`Rust pair template: ${t.templateChecked - t.templateEqual} pairs differ`] : []),
    ...r.rows.filter((row) => row.status === 'FAIL').map((row) => `${row.runtime} ${row.backend} ${row.dtype}: ${row.note}`),
    ...(r.onnx ? quantizerFailures(r.onnx) : []),
  ];
  const lines = [
    `## Cross-check: ${path.relative(PROJECT_ROOT, r.modelDir)} (${r.config.generated_by?.preset ?? '?'}: ` +
      `${r.config.num_hidden_layers} layers, hidden ${r.config.hidden_size}), maxLength ${r.maxLength}`,
    '',
    `${r.pairs} pairs: ${r.seedPairs} seed pairs + ${r.pairs - r.seedPairs} generated (seed ${r.seed}), ` +
      `${r.queries} queries; ${t.tokens} tokens, ${lengths[0]}–${lengths.at(-1)} per pair (median ` +
      `${lengths[lengths.length >> 1]}); ${t.queryCapped} queries capped at ¾ maxLength, ${t.documentTruncated} documents truncated.`,
    `Reference: PyTorch ${r.py.versions.torch} \`${r.py.torch.class}\` fp32 (${r.py.torch.attention} attention, ` +
      `${r.py.torch.threads} threads) on our ids; transformers ${r.py.versions.transformers}, tokenizers ` +
      `${r.py.versions.tokenizers}${r.py.versions.sentence_transformers ? `, sentence-transformers ${r.py.versions.sentence_transformers}` : ''}` +
      `${r.onnx ? `; onnx ${r.onnx.versions.onnx}, onnxruntime ${r.onnx.versions.onnxruntime}` : ''}.`,
    '',
    '| token ids | equal |',
    '|---|---|',
    `| Rust \`tokenizers\` (Tokenizer.from_file, pair assembled by the reference rule) vs ours (transformers.js + pairs.ts) | ${t.equal}/${t.pairs} |`,
    `| Rust \`tokenizers\` pair template with \`only_second\` truncation vs the same (pairs whose query is under its cap) | ${t.templateEqual}/${t.templateChecked} |`,
    ...(ce ? [`| sentence-transformers CrossEncoder's own tokenizer (${ce.tokenizer}, \`longest_first\`) vs ours (informational) | ` +
      `${ce.sameIds}/${t.pairs}: ${ce.differCappedQuery} differ because it does not cap the query at ¾, ` +
      `${ce.differOther.length} otherwise${ce.differOther.length ? ` (pairs ${ce.differOther.map((d) => d.index).join(', ')})` : ''} |`] : []),
    '',
    '| runtime | backend | dtype | max abs Δ logit (all) | max abs Δ (10 seed pairs) | mean abs Δ | Spearman per query, mean (min) | top-1 agree | scoring time (one pass) | check |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...(ce ? [`| PyTorch | CrossEncoder(dir), own tokenizer | fp32 | ${fmt(ce.maxDiffSameIds)} on the ${ce.sameIds} pairs with equal ids | | | | | ` +
      `${(ce.runSeconds * 1000).toFixed(0)} ms | loads |`] : []),
    ...r.rows.map((row) => {
      const a = row.agreement;
      return `| ${row.runtime} | ${row.backend}${row.ran && row.ran.backend !== row.backend ? ` (ran ${row.ran.backend})` : ''} | ` +
        `${row.dtype}${row.ran && row.ran.dtype !== row.dtype ? ` (ran ${row.ran.dtype})` : ''} | ${fmt(a?.maxAbsDiff)} | ` +
        `${fmt(row.seedMaxDiff)} | ${fmt(a?.meanAbsDiff)} | ${a ? `${a.spearmanMean.toFixed(4)} (${a.spearmanMin.toFixed(4)})` : '–'} | ` +
        `${a ? `${a.top1Agree}/${a.groups}` : '–'} | ${row.runMs !== undefined ? `${row.runMs.toFixed(0)} ms` : '–'} | ${row.status}` +
        `${row.note ? `: ${row.note}` : ''} |`;
    }),
    '',
    `Scoring time: one \`score()\` call over all pairs, batch size ${r.batchSize} (token-budget batching), Node after a short warm ` +
      'pass, Chromium on a freshly loaded reranker; SwiftShader WebGPU runs on the CPU and is not a speed figure. Python ' +
      'onnxruntime rows: one `InferenceSession.run` per batch of pairs sorted by length.',
    `fp32 tolerance ${r.tolerance}. The other dtypes are reported, not gated (random weights: logit gaps between documents ` +
      'are small, so quantisation can legitimately swap close ranks).',
    ...(r.onnx ? ['', ...quantizerLines(r.onnx)] : []),
    '',
    failures.length === 0 ? '**All checks passed.**' : `**FAILED:** ${failures.join('; ')}`,
  ];
  const markdown = `${lines.join('\n')}\n`;
  fs.writeFileSync(path.join(r.outDir, 'results.md'), markdown);
  fs.writeFileSync(path.join(r.outDir, 'results.json'), JSON.stringify({
    date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}` },
    model: path.relative(PROJECT_ROOT, r.modelDir), maxLength: r.maxLength, pairs: r.pairs, seed: r.seed, tolerance: r.tolerance,
    tokens: t, versions: { ...r.py.versions, ...r.onnx?.versions }, crossEncoder: ce && { ...ce, logits: undefined },
    quantizers: r.onnx?.quantizers, rows: r.rows, failures,
  }, null, 2));
  return { markdown, failures };
}
