/**
 * The cross-check's report (step 4 of crosscheck.ts): the markdown / JSON written from the measured rows (rows.ts), the
 * Python stack's results and the quantizer comparisons (python-onnx.ts, compact.ts).
 *
 * @example
 * const { failures } = writeReport({ ...measured, rows, outDir });
 * // writes OUT/results.md and OUT/results.json, prints the markdown; failures: [] when every check passed
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compactFailures, compactLines } from './compact.ts';
import { quantizerFailures, quantizerLines, type PythonOnnxResult } from './python-onnx.ts';
import { fmtDiff as fmt, type Row } from './rows.ts';
import { PROJECT_ROOT } from './venv.ts';

/** What crosscheck.py writes. */
export interface PythonResult {
  versions: Record<string, string>;
  /** From config.json: `model_type`, label count, pad id. */
  model: { type: string; labels: number; pad: number };
  tokens: { pairs: number; equal: number; typesEqual: number; typed: boolean;
    layout: { rust: [string, string]; expected: [string, string] | null; ok: boolean };
    plainChecked: number; plainEqual: number; templateChecked: number; templateEqual: number; queryCapped: number;
    documentTruncated: number; tokens: number; maxPairTokens: number; mismatches: unknown[] };
  torch: { class: string; attention: string; threads: number; runSeconds: number; logits: number[];
    withoutTypesMaxDiff: number | null };
  crossEncoder?: { class: string; tokenizer: string; sameIds: number; differCappedQuery: number; differTruncated: number;
    differOther: { index: number; ours: number[]; theirs: number[] }[]; maxDiffSameIds: number | null; maxDiffAll: number;
    maxProbDiffSameIds: number | null; runSeconds: number; logits: number[] };
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

export function writeReport(r: ReportInput): { markdown: string; failures: string[] } {
  const t = r.py.tokens;
  const ce = r.py.crossEncoder;
  const lengths = r.lengths;
  // Gated: its logits where it feeds what we feed. Its pairs cut otherwise, and its own tokenizer's differences, are
  // reported (transformers' XLMRobertaTokenizer is not Rust's pipeline; the id checks above gate the tokenizer).
  const ceFails = ce && (ce.maxDiffSameIds === null || ce.maxDiffSameIds > r.tolerance);
  const failures = [
    ...(t.equal !== t.pairs ? [`token ids: ${t.pairs - t.equal} pairs differ`] : []),
    ...(t.typesEqual !== t.pairs ? [`token types: ${t.pairs - t.typesEqual} pairs differ`] : []),
    ...(!t.layout.ok ? [`pair layout: Rust applies ${t.layout.rust.join(' / ')}, ${r.py.model.type} expects ${t.layout.expected?.join(' / ')}`] : []),
    ...(t.plainEqual !== t.plainChecked ? [`Rust pair encoding: ${t.plainChecked - t.plainEqual} untruncated pairs differ`] : []),
    ...(t.templateEqual !== t.templateChecked ? [`Rust pair template: ${t.templateChecked - t.templateEqual} pairs differ`] : []),
    ...(ceFails ? [`CrossEncoder: max |Δ| ${fmt(ce.maxDiffSameIds)} on the pairs with equal ids`] : []),
    ...r.rows.filter((row) => row.status === 'FAIL').map((row) => `${row.runtime} ${row.backend} ${row.dtype}: ${row.note}`),
    ...(r.onnx ? quantizerFailures(r.onnx) : []),
    ...(r.onnx?.compact ? compactFailures(r.onnx.compact, r.tolerance) : []),
  ];
  const m = r.py.model;
  const idsAndTypes = t.typed ? 'ids and token types' : 'ids';
  const lines = [
    `## Cross-check: ${path.relative(PROJECT_ROOT, r.modelDir)} (${m.type}, ${r.config.generated_by?.preset ?? '?'}: ` +
      `${r.config.num_hidden_layers} layers, hidden ${r.config.hidden_size}, ${m.labels} label${m.labels > 1 ? 's' : ''}), maxLength ${r.maxLength}`,
    '',
    `${r.pairs} pairs: ${r.seedPairs} seed pairs + ${r.pairs - r.seedPairs} generated (seed ${r.seed}), ` +
      `${r.queries} queries; ${t.tokens} tokens, ${lengths[0]}–${lengths.at(-1)} per pair (median ` +
      `${lengths[lengths.length >> 1]}); ${t.queryCapped} queries capped at ¾ maxLength, ${t.documentTruncated} documents truncated.`,
    `Reference: PyTorch ${r.py.versions.torch} \`${r.py.torch.class}\` fp32 (${r.py.torch.attention} attention, ` +
      `${r.py.torch.threads} threads) on our ${idsAndTypes}; transformers ${r.py.versions.transformers}, tokenizers ` +
      `${r.py.versions.tokenizers}${r.py.versions.sentence_transformers ? `, sentence-transformers ${r.py.versions.sentence_transformers}` : ''}` +
      `${r.onnx ? `; onnx ${r.onnx.versions.onnx}, onnxruntime ${r.onnx.versions.onnxruntime}` : ''}.` +
      `${m.labels === 2 ? ' Two labels: every logit below is label 1 − label 0, whose sigmoid is the softmax\'s relevant probability.' : ''}`,
    '',
    `Pair layout Rust's post-processor applies: \`${t.layout.rust[0]}\`, token types \`${t.layout.rust[1]}\`` +
      `${t.layout.expected ? ` (${m.type} expects ${t.layout.ok ? 'the same' : `\`${t.layout.expected.join(' / ')}\``})` : ''}.`,
    '',
    '| token ids | equal |',
    '|---|---|',
    `| Rust \`tokenizers\` encodings of each text, cut by the reference rule, Rust's post-processor vs ours (transformers.js + pairs.ts): ids | ${t.equal}/${t.pairs} |`,
    `| the same: token types | ${t.typesEqual}/${t.pairs}${t.typed ? '' : ' (all 0)'} |`,
    `| Rust \`tokenizers\` pair encoding, no truncation, vs ours (pairs our rule does not cut): ${idsAndTypes} | ${t.plainEqual}/${t.plainChecked} |`,
    `| Rust \`tokenizers\` pair template with \`only_second\` truncation vs ours (pairs whose query is under its cap): ${idsAndTypes} | ${t.templateEqual}/${t.templateChecked} |`,
    ...(ce ? [`| sentence-transformers CrossEncoder's own tokenizer (${ce.tokenizer}, \`longest_first\`) vs ours: ${idsAndTypes} | ` +
      `${ce.sameIds}/${t.pairs}: ${ce.differCappedQuery} differ because it does not cap the query at ¾, ` +
      `${ce.differTruncated} other pairs cut otherwise by \`longest_first\`, ${ce.differOther.length} untruncated` +
      `${ce.differOther.length ? ` (pairs ${ce.differOther.map((d) => d.index).join(', ')})` : ''} |`] : []),
    ...(r.py.torch.withoutTypesMaxDiff !== null ? ['', `PyTorch on our ids without \`token_type_ids\` (every token type 0) ` +
      `moves the logits by up to ${fmt(r.py.torch.withoutTypesMaxDiff)}: the types are exercised.`] : []),
    '',
    '| runtime | backend | dtype | max abs Δ logit (all) | max abs Δ (10 seed pairs) | mean abs Δ | Spearman per query, mean (min) | top-1 agree | scoring time (one pass) | check |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...(ce ? [`| PyTorch | CrossEncoder(dir), own tokenizer, raw texts | fp32 | ${fmt(ce.maxDiffSameIds)} on the ${ce.sameIds} pairs ` +
      `with equal ${idsAndTypes} (${fmt(ce.maxDiffAll)} on all: pairs cut otherwise differ) | | | | | ` +
      `${(ce.runSeconds * 1000).toFixed(0)} ms | ${ceFails ? 'FAIL' : 'ok'}` +
      `${ce.maxProbDiffSameIds !== null ? `: relevant probability max |Δ| ${fmt(ce.maxProbDiffSameIds)}` : ''} |`] : []),
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
    ...(r.onnx?.compact ? ['', ...compactLines(r.onnx.compact, r.tolerance)] : []),
    '',
    failures.length === 0 ? '**All checks passed.**' : `**FAILED:** ${failures.join('; ')}`,
  ];
  const markdown = `${lines.join('\n')}\n`;
  fs.writeFileSync(path.join(r.outDir, 'results.md'), markdown);
  fs.writeFileSync(path.join(r.outDir, 'results.json'), JSON.stringify({
    date: new Date().toISOString(), machine: { cpus: os.availableParallelism(), platform: `${os.platform()} ${os.arch()}` },
    model: path.relative(PROJECT_ROOT, r.modelDir), maxLength: r.maxLength, pairs: r.pairs, seed: r.seed, tolerance: r.tolerance,
    modelType: r.py.model.type, labels: r.py.model.labels, tokens: t, torchWithoutTypesMaxDiff: r.py.torch.withoutTypesMaxDiff, versions: { ...r.py.versions, ...r.onnx?.versions }, crossEncoder: ce && { ...ce, logits: undefined },
    quantizers: r.onnx?.quantizers,
    compact: r.onnx?.compact && { ...r.onnx.compact, ort: undefined }, rows: r.rows, failures,
  }, null, 2));
  return { markdown, failures };
}
