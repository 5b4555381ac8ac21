/**
 * The generator's architectures and presets: which preset exists in which architecture, the minilm BERT graph (built on
 * zero weights and never run), base's size, and the config.json each architecture and label count writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, DataType } from '../../scripts/model/onnx-proto.ts';
import { initializerBytes, makeModel, onnxModelBytes, resolveDims } from '../../scripts/model/write-model.ts';
import { WeightSource } from '../../scripts/model/weights.ts';
import { DTYPES, PRESETS, presetDims } from '../../scripts/model/presets.ts';
import type { InitializerSink } from '../../scripts/model/graph.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'generated-presets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Keeps no bytes: initializers are counted and said to be external, so a large graph stays small in memory. */
const countingSink = (): InitializerSink & { bytes: number } => {
  const sink = { bytes: 0, place: (_name: string, b: Uint8Array) => {
    sink.bytes += b.byteLength;
    return [{ key: 'location', value: 'model.onnx_data' }];
  } };
  return sink;
};

describe('presets', () => {
  it('keep tiny, small and full as they were, and add base (XLM-R) and minilm (BERT)', () => {
    expect(Object.keys(PRESETS)).toEqual(['tiny', 'small', 'base', 'full', 'minilm']);
    expect(presetDims('tiny', 'xlmr')).toEqual({ layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 514, typeVocab: 1 });
    expect(presetDims('tiny', 'bert')).toEqual({ layers: 2, hidden: 64, heads: 4, intermediate: 256, vocab: undefined, maxPositions: 512, typeVocab: 2 });
    expect(presetDims('base', 'xlmr')).toEqual({ layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 250002, maxPositions: 514, typeVocab: 1 });
    expect(presetDims('minilm', 'bert')).toEqual({ layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512, typeVocab: 2 });
  });

  it('refuse an architecture a preset does not exist in, saying which it does', () => {
    expect(() => presetDims('minilm', 'xlmr')).toThrow('preset "minilm" is BERT (--arch bert) only; XLM-R presets are tiny, small, base, full');
    expect(() => presetDims('full', 'bert')).toThrow('preset "full" is XLM-R (--arch xlmr) only; BERT presets are tiny, minilm');
    expect(() => presetDims('base', 'bert')).toThrow(/XLM-R \(--arch xlmr\) only/);
    expect(() => makeModel({ preset: 'small', arch: 'bert', dtypes: ['fp32'], seed: 1, out: tmp, safetensors: false }))
      .toThrow(/preset "small" is XLM-R/);
    expect(() => makeModel({ preset: 'tiny', labels: 3 as 1, dtypes: ['fp32'], seed: 1, out: tmp, safetensors: false }))
      .toThrow(/labels must be one of 1, 2/);
  });
});

describe('the minilm BERT graph and base\'s size', () => {
  it('minilm: 6 layers, hidden 384, 12 heads, vocab 30522, 512 positions, 2 token types; ms-marco-MiniLM\'s 22.7M parameters', () => {
    const weights = new WeightSource(resolveDims('minilm', 30522, 'bert'), 1, true);
    expect(weights.parameterCount()).toBe(22_713_601);
    const sink = countingSink();
    const model = decodeModel(onnxModelBytes(weights, 'fp32', sink));
    const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
    expect(init.get('bert.embeddings.word_embeddings.weight')?.dims).toEqual([30522, 384]);
    expect(init.get('bert.embeddings.position_embeddings.weight')?.dims).toEqual([512, 384]);
    expect(init.get('bert.embeddings.token_type_embeddings.weight')?.dims).toEqual([2, 384]);
    expect(init.get('bert.embeddings.position_ids')).toMatchObject({ dims: [1, 512], dataType: DataType.INT64 });
    expect(init.get('bert.encoder.layer.5.intermediate.dense.weight.T')?.dims).toEqual([384, 1536]);
    expect(init.get('split_heads_shape')).toBeDefined();
    expect(init.get('classifier.weight.T')?.dims).toEqual([384, 1]);
    expect(model.graph.node.filter((n) => n.opType === 'Softmax')).toHaveLength(6);
    expect(model.graph.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(model.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch_size' }, { dimValue: 1 }]);
    expect(Math.abs(initializerBytes(weights, 'fp32') - sink.bytes)).toBeLessThan(8192); // position_ids and scalars aside
  });

  it('base: bge-reranker-base\'s 278M parameters; every dtype fits in one file (no external data)', () => {
    const weights = new WeightSource(resolveDims('base', 250002), 1, true);
    expect(weights.parameterCount()).toBe(278_044_417);
    const limit = 2 ** 31 - 2 ** 26;
    expect(DTYPES.filter((d) => initializerBytes(weights, d) > limit)).toEqual([]);
    expect(initializerBytes(weights, 'fp32') / 1e9).toBeCloseTo(1.11, 2);
  });
});

describe('config.json', () => {
  it('BERT: BertForSequenceClassification as ms-marco-MiniLM has it; two labels name LABEL_0 and LABEL_1', () => {
    const dir = path.join(tmp, 'bert-2');
    makeModel({ preset: 'tiny', arch: 'bert', labels: 2, dtypes: [], seed: 3, out: dir, safetensors: false });
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['BertForSequenceClassification'], model_type: 'bert', type_vocab_size: 2, pad_token_id: 0,
      layer_norm_eps: 1e-12, max_position_embeddings: 512, hidden_act: 'gelu', position_embedding_type: 'absolute',
      id2label: { 0: 'LABEL_0', 1: 'LABEL_1' }, label2id: { LABEL_0: 0, LABEL_1: 1 },
      generated_by: { generator: 'bge-reranker-web make-model', version: '1', preset: 'tiny', seed: 3 },
    });
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')).model.vocab;
    expect(config.vocab_size).toBe(Object.keys(vocab).length);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')).model_max_length).toBe(512);
  });

  it('XLM-R with two labels changes only id2label and label2id', () => {
    const one = path.join(tmp, 'xlmr-1');
    const two = path.join(tmp, 'xlmr-2');
    makeModel({ preset: 'tiny', dtypes: [], seed: 3, out: one, safetensors: false });
    makeModel({ preset: 'tiny', labels: 2, dtypes: [], seed: 3, out: two, safetensors: false });
    const [a, b] = [one, two].map((d) => JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8')));
    expect({ ...b, id2label: a.id2label, label2id: a.label2id }).toEqual(a);
    expect(b.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1' });
  });
});
