/**
 * `npm run export` on bad input: each case is the generator's tiny XLM-R folder with one thing broken, and must fail
 * with a ModelLoadError that names the file (and the tensor), before anything is written; the CLI exits 1 with it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/lib/errors.ts';
import { exportModel } from '../../scripts/model/export-model.ts';
import { makeModel } from '../../scripts/model/write-model.ts';
import { convertTensor, copyFolder, readRawTensors, writeRawTensors, writeShards, type RawTensor } from '../helpers/safetensors-edit.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-errors-'));
const GENERATED = path.join(tmp, 'generated');

beforeAll(() => {
  makeModel({ preset: 'tiny', dtypes: ['fp32'], seed: 42, out: GENERATED, safetensors: true });
}, 60_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Tensors = Map<string, RawTensor>;

interface BrokenInput {
  name: string;
  config?: (config: Record<string, unknown>) => void;
  tensors?: (tensors: Tensors) => void;
  /** Anything else, on the folder itself. */
  folder?: (dir: string) => void;
  /** The error's message, with `<dir>` for the folder's path. */
  message: RegExp | ((dir: string) => RegExp);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const LAYER1_FFN = 'roberta.encoder.layer.1.intermediate.dense.weight';

const CASES: BrokenInput[] = [
  { name: 'no config.json', folder: (dir) => fs.rmSync(path.join(dir, 'config.json')),
    message: (dir) => new RegExp(`^${escape(path.join(dir, 'config.json'))}: no such file$`) },
  { name: 'no tokenizer.json', folder: (dir) => fs.rmSync(path.join(dir, 'tokenizer.json')),
    message: (dir) => new RegExp(`^${escape(path.join(dir, 'tokenizer.json'))}: no such file$`) },
  { name: 'no tokenizer_config.json', folder: (dir) => fs.rmSync(path.join(dir, 'tokenizer_config.json')),
    message: /tokenizer_config\.json: no such file/ },
  { name: 'no weights', folder: (dir) => fs.rmSync(path.join(dir, 'model.safetensors')),
    message: /: has neither model\.safetensors nor model\.safetensors\.index\.json/ },
  { name: 'a shard the index names is missing', folder: (dir) => {
    const shards = writeShards(dir, readRawTensors(path.join(dir, 'model.safetensors')), 2);
    fs.rmSync(path.join(dir, 'model.safetensors'));
    fs.rmSync(path.join(dir, shards[1]));
  }, message: /model-00002-of-00002\.safetensors: no such file/ },
  { name: 'a truncated checkpoint', folder: (dir) => {
    const file = path.join(dir, 'model.safetensors');
    fs.truncateSync(file, fs.statSync(file).size - 100);
  }, message: /model\.safetensors: tensor roberta\.encoder\.layer\.1\.output\.dense\.weight lies past the end of the file/ },
  { name: 'config.json that is not JSON', folder: (dir) => fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": '),
    message: /config\.json: not valid JSON/ },
  { name: 'an unsupported model_type', config: (c) => { c.model_type = 'deberta-v2'; },
    message: /config\.json: model_type "deberta-v2" is not supported \(xlm-roberta, bert\)/ },
  { name: 'a base model without a classification head', config: (c) => { c.architectures = ['XLMRobertaModel']; },
    message: /config\.json: architectures \["XLMRobertaModel"\]: the exporter writes XLMRobertaForSequenceClassification/ },
  { name: 'three labels', config: (c) => { c.id2label = { 0: 'a', 1: 'b', 2: 'c' }; },
    message: /config\.json: 3 labels: the exporter writes cross-encoders with 1 or 2/ },
  { name: 'another activation', config: (c) => { c.hidden_act = 'relu'; },
    message: /config\.json: hidden_act is "relu"; the exported XLMRobertaForSequenceClassification graph uses "gelu"/ },
  { name: 'another padding id', config: (c) => { c.pad_token_id = 0; },
    message: /config\.json: pad_token_id is 0; .* uses 1/ },
  { name: 'more layers than the checkpoint has', config: (c) => { c.num_hidden_layers = 3; },
    message: /model\.safetensors: no tensor roberta\.encoder\.layer\.2\.attention\.self\.query\.weight or encoder\.layer\.2\.attention\.self\.query\.weight \(a 3-layer/ },
  { name: 'a missing tensor', tensors: (t) => { t.delete('classifier.out_proj.weight'); },
    message: /model\.safetensors: no tensor classifier\.out_proj\.weight \(a 2-layer XLMRobertaForSequenceClassification with 1 label/ },
  { name: 'a mis-shaped tensor', tensors: (t) => { t.get(LAYER1_FFN)!.shape = [64, 256]; },
    message: new RegExp(`model\\.safetensors: tensor ${escape(LAYER1_FFN)} has shape \\[64, 256\\], expected \\[256, 64\\]`) },
  { name: 'a hidden size the tensors do not have', config: (c) => { c.hidden_size = 128; },
    message: /model\.safetensors: tensor roberta\.embeddings\.word_embeddings\.weight has shape \[2005, 64\], expected \[2005, 128\]/ },
  { name: 'I64 weights', tensors: (t) => { t.set('roberta.embeddings.LayerNorm.weight', convertTensor(t.get('roberta.embeddings.LayerNorm.weight')!, 'I64')); },
    message: /model\.safetensors: tensor roberta\.embeddings\.LayerNorm\.weight is I64; only F32, F16 and BF16 weights can be exported/ },
  { name: 'F64 weights', tensors: (t) => { t.set('classifier.dense.bias', convertTensor(t.get('classifier.dense.bias')!, 'F64')); },
    message: /model\.safetensors: tensor classifier\.dense\.bias is F64; only F32, F16 and BF16/ },
  { name: 'a tokenizer with more ids than the embedding table', folder: (dir) => {
    const file = path.join(dir, 'tokenizer.json');
    const tokenizer = JSON.parse(fs.readFileSync(file, 'utf8')) as { added_tokens: { id: number; content: string }[] };
    tokenizer.added_tokens.push({ ...tokenizer.added_tokens[0], id: 2005, content: '<extra>' });
    fs.writeFileSync(file, JSON.stringify(tokenizer));
  }, message: /tokenizer\.json: ids up to 2005, but the word-embedding table \(roberta\.embeddings\.word_embeddings\.weight\) has 2005 rows/ },
];

function brokenFolder(c: BrokenInput): string {
  const dir = path.join(tmp, c.name.replace(/\W+/g, '-'));
  copyFolder(GENERATED, dir, ['onnx']);
  if (c.config) {
    const file = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    c.config(config);
    fs.writeFileSync(file, JSON.stringify(config));
  }
  if (c.tensors) {
    const file = path.join(dir, 'model.safetensors');
    const tensors = readRawTensors(file);
    c.tensors(tensors);
    writeRawTensors(file, tensors);
  }
  c.folder?.(dir);
  return dir;
}

describe('export refuses bad input', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const dir = brokenFolder(c);
    const out = path.join(tmp, 'out', path.basename(dir));
    let error: unknown;
    try {
      exportModel({ from: dir, out, dtypes: ['fp32', 'q8'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(typeof c.message === 'function' ? c.message(dir) : c.message);
    expect(fs.existsSync(out)).toBe(false); // checked before anything is written
  });

  it('a folder that does not exist', () => {
    const missing = path.join(tmp, 'nowhere');
    const run = () => exportModel({ from: missing, out: path.join(tmp, 'out-nowhere'), dtypes: ['fp32'] });
    expect(run).toThrow(ModelLoadError);
    expect(run).toThrow(expect.objectContaining({ message: `${missing}: no such folder`, missingFile: missing }));
  });

  it('the CLI prints the error and exits 1; a bad argument exits 2 with the usage', () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const dir = brokenFolder(CASES.find((c) => c.name === 'a mis-shaped tensor')!);
    const run = spawnSync(tsx, ['scripts/export.ts', '--from', dir, '--out', path.join(tmp, 'cli-out')], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`export: ${path.join(dir, 'model.safetensors')}: tensor ${LAYER1_FFN} has shape [64, 256]`);
    const usage = spawnSync(tsx, ['scripts/export.ts', '--from', dir, '--out', path.join(tmp, 'cli-out'), '--dtype', 'q3'],
      { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('export: unknown dtype "q3"');
  }, 60_000);
});
