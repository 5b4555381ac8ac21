/**
 * `npm run crosscheck`: our core against Hugging Face's own stack (Rust tokenizers, PyTorch, sentence-transformers)
 * on the seed's ten Chinese pairs plus generated pairs of mixed lengths and languages. Not part of `npm test`: it needs
 * the Python venv (`.venv`, created on first use by venv.ts) and, for the browser rows, Debian's Chromium.
 *
 * Architecture-agnostic: config.json's `model_type` (xlm-roberta, bert) names the PyTorch class and what to expect;
 * the pair layout comes from the tokenizer's post-processor on both sides. By default both demo models are checked,
 * XLM-R's and BERT's, one after the other (`--model A,B` does the same for any folders).
 *
 * 1. Our ids and token types: transformers.js through src/lib (PairEncoder.pairFromIds), exactly as the core builds
 *    pairs (XLM-R `<s> q </s></s> d </s>`; BERT `[CLS] q [SEP] d [SEP]`, types 0 then 1).
 * 2. Python (crosscheck.py): Rust `tokenizers` ids and types must equal ours (the reference rule on each text's
 *    encoding; Rust's own pair encoding where nothing is cut); PyTorch fp32 logits on our ids and types;
 *    CrossEncoder(dir) on the raw texts. A two-label model's logit is label 1 − label 0, as the core scores it.
 * 2b. Python (quantizers.py, python-onnx.ts): onnxruntime's own quantizers (MatMulNBitsQuantizer for q4, ONNXQuantizer
 *    for int8 / uint8, as transformers.js calls them) on our fp32 file must give our q4 / int8 / uint8 files (every
 *    initializer byte-equal, every node equal) and q4f16's 4-bit weights; Python onnxruntime runs every dtype file.
 *    With a compact folder (`--compact`, by default MODEL-compact where it exists; compact.ts): the same quantizer with
 *    Gather on must give our compact q4 / q4f16 tables' 4-bit bytes and scales, and our compact q4 its logits.
 * 3. Our core (core-runs.ts: createReranker, rawScores) on wasm in Node, and in Chromium on forced WebGPU (SwiftShader here) and on
 *    wasm, for each ONNX file (fp32, fp16, q8, int8, uint8, q4, q4f16): max |Δlogit| against PyTorch fp32 (fp32 must
 *    be within 1e-4), and for every dtype the rank agreement per query (Spearman, top-1).
 * 4. A markdown table on stdout, and results.md + results.json (+ the inputs) under .cache/crosscheck/NAME/ (report.ts).
 *    Exit status 1 when a check fails.
 *
 * @example
 * // npm run crosscheck                                   (both demo models, 10 seed + 200 generated pairs, maxLength 512)
 * // npm run crosscheck -- --model models/minilm --count 40 --backends node-wasm,chromium-wasm
 * // npm run crosscheck -- --model models/full --count 16 --max-length 128 --backends node-wasm --dtypes fp32,q8
 * // prints | runtime | backend | dtype | max abs Δ logit (all) | … | check | and writes .cache/crosscheck/minilm-512/results.md
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'node:module';
import { crosscheckEachModel, crosscheckOptions, printUsage } from './cli.ts';
import { compactRows } from './compact.ts';
import { runCore } from './core-runs.ts';
import { crosscheckPairs } from './pairs.ts';
import { pythonOnnxRows, runPythonOnnx } from './python-onnx.ts';
import { writeReport, type PythonResult, type ReportInput } from './report.ts';
import type { Reference } from './rows.ts';
import { ensureVenv, PROJECT_ROOT } from './venv.ts';

// Node runs onnxruntime-web's Node build, as the unit tests do (vitest.config.ts): registered before src/lib loads.
register('./ort-node-alias.mjs', import.meta.url);
const { PairEncoder } = await import('../../src/lib/text/tokenize.ts');
const { parseModelConfig } = await import('../../src/lib/files/model-config.ts');

const command = crosscheckOptions(process.argv.slice(2));
if (command.kind === 'help') {
  printUsage();
  process.exit(0);
}
if (command.kind === 'many') process.exit(crosscheckEachModel(command.models, process.argv.slice(2)));
const o = command;
fs.mkdirSync(o.outDir, { recursive: true });
const log = (line: string) => process.stderr.write(`[crosscheck] ${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// 1. Our ids, built the way the core builds them.
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(o.modelDir, file), 'utf8')) as Record<string, unknown>;
const encoder = PairEncoder.fromFiles({
  tokenizerJson: readJson('tokenizer.json'),
  tokenizerConfig: readJson('tokenizer_config.json'),
  modelConfig: parseModelConfig(readJson('config.json')),
});
const pairs = crosscheckPairs({ count: o.count, seed: o.seed });
const encoded = pairs.map((p) => encoder.pairFromIds(encoder.encode(p.query), encoder.encode(p.document), o.maxLength));
const pairsFile = path.join(o.outDir, 'pairs.json');
fs.writeFileSync(pairsFile, JSON.stringify({ maxLength: o.maxLength, pairs: pairs.map((p, i) => ({ ...p, ids: encoded[i]!.ids,
  typeIds: encoded[i]!.typeIds ?? null, truncated: encoded[i]!.truncated })) }));
const lengths = encoded.map((row) => row.ids.length).sort((a, b) => a - b);
log(`${pairs.length} pairs (${pairs.filter((p) => p.source === 'seed').length} seed), ` +
  `${lengths[0]}–${lengths.at(-1)} tokens (median ${lengths[lengths.length >> 1]}), model ${path.relative(PROJECT_ROOT, o.modelDir)}`);

// 2. Hugging Face's stack.
const python = ensureVenv();
const pythonFile = path.join(o.outDir, 'python.json');
const started = performance.now();
execFileSync(python, [path.join(PROJECT_ROOT, 'scripts/crosscheck/crosscheck.py'), '--model', o.modelDir, '--pairs', pairsFile,
  '--out', pythonFile, '--threads', o.threads, '--batch-size', String(o.batchSize),
  ...(o.crossEncoder ? [] : ['--no-cross-encoder'])], { stdio: ['ignore', 'inherit', 'inherit'] });
log(`python done in ${seconds(started)}`);
const py = JSON.parse(fs.readFileSync(pythonFile, 'utf8')) as PythonResult;
const groups = pairs.map((p) => p.group);
const seedIndices = pairs.flatMap((p, i) => (p.source === 'seed' ? [i] : []));
const reference: Reference = { reference: py.torch.logits, groups, seedIndices };

// 2b. onnxruntime's quantizers against our files (and the compact folder's); Python onnxruntime on every file.
const onnxStarted = performance.now();
const onnx = runPythonOnnx({ python, modelDir: o.modelDir, pairsFile, outDir: o.outDir, threads: o.threads,
  batchSize: o.batchSize, compactDir: o.compactDir });
log(`python onnxruntime done in ${seconds(onnxStarted)}${o.compactDir ? ` (compact: ${path.relative(PROJECT_ROOT, o.compactDir)})` : ''}`);

// 3. Our core.
const coreRows = await runCore({ ...o, pairs: pairs.map((p): [string, string] => [p.query, p.document]), reference,
  twoLabels: py.model.labels === 2, log });

// 4. Report.
const { markdown, failures } = writeReport({
  modelDir: o.modelDir, outDir: o.outDir, maxLength: o.maxLength, batchSize: o.batchSize, tolerance: o.tolerance, seed: o.seed,
  pairs: pairs.length, seedPairs: seedIndices.length, queries: new Set(groups).size, lengths,
  config: readJson('config.json') as ReportInput['config'], py, onnx,
  rows: [...pythonOnnxRows(onnx, reference, o.tolerance), ...(onnx.compact ? compactRows(onnx.compact, reference, o.tolerance) : []),
    ...coreRows],
});
process.stdout.write(markdown);
log(`wrote ${path.relative(PROJECT_ROOT, o.outDir)}/results.{md,json}`);
process.exit(failures.length === 0 ? 0 : 1);
