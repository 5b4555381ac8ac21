/**
 * Step 2b of the cross-check: onnxruntime's own quantizers (quantizers.py) applied to our fp32 model, compared with
 * our q4, int8, uint8 and q4f16 files, and Python onnxruntime (CPU EP) running every dtype file on the pairs.
 *
 * @example
 * const onnx = runPythonOnnx({ python, modelDir, pairsFile, outDir, threads: '2', batchSize: 16, compactDir });
 * pythonOnnxRows(onnx, { reference: torchLogits, groups, seedIndices }, 1e-4); // → rows 'Python | onnxruntime CPU | q4', …
 * quantizerLines(onnx);    // → a markdown table: q4 | MatMulNBitsQuantizer | 66/66 byte-equal | 91/91 nodes | … | ok
 * quantizerFailures(onnx); // → [] when every initializer and node equals Python's
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CompactComparison } from './compact.ts';
import { fmtDiff as fmt, logitProblems, maxAbsDiff as max, measured, type Reference, type Row } from './rows.ts';
import { PROJECT_ROOT } from './venv.ts';

interface Differences { theirs: number; ours: number; differ: string[]; onlyTheirs: string[]; onlyOurs: string[] }

export interface QuantizerComparison {
  quantizer: string;
  seconds?: number;
  /** q4, int8, uint8: the whole file against Python's. */
  initializers?: Differences & { byteEqual: number };
  nodes?: Differences & { equal: number; sameOrder: boolean };
  opsets?: { theirs: [string, number][]; ours: [string, number][] };
  sameOutputs?: boolean;
  /** q4f16: the 4-bit weights and float16 scales against Python's q4. */
  matMulNBits?: number;
  compared?: number;
  packedEqual?: number;
  scalesEqual?: number;
  differ?: string[];
}

export interface PythonOnnxResult {
  versions: { onnx: string; onnxruntime: string };
  quantizers: Record<string, QuantizerComparison>;
  /** Logits per dtype file, and per Python-quantized model (`python-q4`, …). */
  ort: Record<string, { logits: number[]; runSeconds: number }>;
  /** With a compact folder: its q4 / q4f16 against onnxruntime's 4-bit Gather quantizer (compact.ts). */
  compact?: CompactComparison;
}

export function runPythonOnnx(o: { python: string; modelDir: string; pairsFile: string; outDir: string; threads: string;
  batchSize: number; compactDir?: string }): PythonOnnxResult {
  const out = path.join(o.outDir, 'python-onnx.json');
  execFileSync(o.python, [path.join(PROJECT_ROOT, 'scripts/crosscheck/quantizers.py'), '--model', o.modelDir,
    '--pairs', o.pairsFile, '--out', out, '--threads', o.threads, '--batch-size', String(o.batchSize),
    ...(o.compactDir ? ['--compact', o.compactDir] : [])],
  { stdio: ['ignore', 'inherit', 'inherit'] });
  return JSON.parse(fs.readFileSync(out, 'utf8')) as PythonOnnxResult;
}

/** One row per file Python onnxruntime ran, against PyTorch fp32; a Python-quantized model also against our file. */
export function pythonOnnxRows(result: PythonOnnxResult, reference: Reference, tolerance: number): Row[] {
  return Object.entries(result.ort).map(([name, { logits, runSeconds }]) => {
    const python = name.startsWith('python-');
    const dtype = python ? name.slice('python-'.length) : name;
    const { agreement, seedMaxDiff } = measured(logits, reference);
    const notes = logitProblems(agreement, dtype === 'fp32', tolerance);
    const status: Row['status'] = notes.length === 0 ? 'ok' : 'FAIL';
    if (python) {
      const ours = result.ort[dtype];
      notes.push(`Python's ${result.quantizers[dtype]?.quantizer ?? 'quantizer'} on our fp32` +
        `${ours ? `; max |Δ| to our ${dtype} file ${fmt(max(logits, ours.logits))}` : ''}`);
    }
    return {
      runtime: 'Python',
      backend: 'onnxruntime CPU',
      dtype: python ? `${dtype} (quantized in Python)` : dtype,
      agreement,
      seedMaxDiff,
      runMs: runSeconds * 1000,
      status,
      note: notes.join('; '),
    };
  });
}

function problems(dtype: string, q: QuantizerComparison): string[] {
  if (dtype === 'q4f16') {
    const n = q.matMulNBits ?? 0;
    return q.compared === n && q.packedEqual === n && q.scalesEqual === n ? []
      : [`q4f16: ${q.packedEqual}/${n} packed weights, ${q.scalesEqual}/${n} float16 scales equal Python's (${q.differ?.join(', ')})`];
  }
  if (!q.initializers || !q.nodes) return []; // our file of this dtype is absent: nothing to compare
  const i = q.initializers;
  const n = q.nodes;
  const out: string[] = [];
  if (i.byteEqual !== i.theirs || i.theirs !== i.ours) {
    out.push(`${dtype}: ${i.byteEqual}/${i.theirs} initializers byte-equal to Python's (${[...i.differ, ...i.onlyTheirs,
      ...i.onlyOurs].slice(0, 5).join(', ')})`);
  }
  if (n.equal !== n.theirs || n.theirs !== n.ours) {
    out.push(`${dtype}: ${n.equal}/${n.theirs} nodes equal to Python's (${[...n.differ, ...n.onlyTheirs, ...n.onlyOurs].slice(0, 5).join(', ')})`);
  }
  if (JSON.stringify(q.opsets?.theirs) !== JSON.stringify(q.opsets?.ours)) out.push(`${dtype}: opset imports differ`);
  if (!q.sameOutputs) out.push(`${dtype}: graph outputs differ`);
  return out;
}

export function quantizerFailures(result: PythonOnnxResult): string[] {
  return Object.entries(result.quantizers).flatMap(([dtype, q]) => problems(dtype, q));
}

/** The comparison as a markdown table. */
export function quantizerLines(result: PythonOnnxResult): string[] {
  const opsets = (o?: [string, number][]) => o?.map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ') ?? '–';
  const rows = Object.entries(result.quantizers).map(([dtype, q]) => {
    const check = problems(dtype, q).length === 0 ? 'ok' : 'FAIL';
    const theirs = result.ort[`python-${dtype}`];
    const ours = result.ort[dtype];
    const logits = theirs && ours ? max(theirs.logits, ours.logits) : undefined;
    const logitText = logits === undefined ? '–' : fmt(logits);
    if (dtype === 'q4f16') {
      return `| q4f16 | ${q.quantizer} | ${q.packedEqual}/${q.matMulNBits} packed 4-bit weights equal to Python's q4; ` +
        `${q.scalesEqual}/${q.matMulNBits} scales equal to its scales in float16 | (float16 pass not reproduced) | | – | ${check} |`;
    }
    if (!q.initializers || !q.nodes) return `| ${dtype} | ${q.quantizer} | – (no ${dtype} file) | | | – | n/a |`;
    return `| ${dtype} | ${q.quantizer} | ${q.initializers.byteEqual}/${q.initializers.theirs} (ours ${q.initializers.ours}) | ` +
      `${q.nodes.equal}/${q.nodes.theirs} (ours ${q.nodes.ours}), ${q.nodes.sameOrder ? 'same order' : 'another order'} | ` +
      `${q.opsets?.theirs && opsets(q.opsets.theirs) === opsets(q.opsets.ours) ? `same: ${opsets(q.opsets.theirs)}` :
        `theirs ${opsets(q.opsets?.theirs)}, ours ${opsets(q.opsets?.ours)}`} | ${logitText} | ${check} |`;
  });
  return [
    `onnxruntime ${result.versions.onnxruntime}'s quantizers on our fp32 model.onnx, called as transformers.js' ` +
      'scripts/quantize.py calls them (q4: block_size 32, is_symmetric True, accuracy_level None; int8 / uint8: ' +
      'ONNXQuantizer, IntegerOps, dynamic, weights QInt8 / QUInt8), against our file of that dtype:',
    '',
    '| dtype | Python quantizer | initializers byte-equal (name, type, dims, bytes) | nodes equal (op, domain, inputs, outputs, attributes) | opset imports | max abs Δ logit, Python\'s model vs ours (both on Python onnxruntime, all pairs) | check |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
}
