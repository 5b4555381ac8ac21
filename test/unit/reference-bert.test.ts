/**
 * The BERT oracle (ReferenceBert, tools/reference/bert.ts) against a hand computation with token types and two labels,
 * its invariances under padding and batch order, its input checks; and two-label XLM-R in the XLM-R oracle.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBert } from '../../tools/reference/bert.ts';
import { ReferenceXlmr, type ReferenceTensor, type XlmrConfig } from '../../tools/reference/xlmr.ts';
import { add, affine, firstLayerToken0, layerNorm, tensorsOf } from '../helpers/hand-encoder.ts';
import { ones, randomTensors, tinyBertConfig, tinyConfig } from '../helpers/tiny-xlmr.ts';

/** `[CLS]`=101 is out of the tiny vocabulary: these rows use 0 for it and 2 for `[SEP]`, with types 0 … 0 1 … 1. */
const pairRow = [0, 5, 7, 2, 9, 4, 2];
const pairTypes = [0, 0, 0, 0, 1, 1, 1];

/**
 * Every label's logit of a 1-layer BERT, for token 0 only (the only query row a 1-layer classifier reads): positions
 * are indices, token types index their own table, a per-head softmax over the unmasked keys, pooler tanh, classifier.
 */
function oneLayerBertLogits(t: Map<string, ReferenceTensor>, config: XlmrConfig, ids: number[], mask: number[],
  types: number[]): number[] {
  const { v, m } = tensorsOf(t);
  const embedded = ids.map((id, i) => layerNorm(
    add(add(m('bert.embeddings.word_embeddings.weight')[id], m('bert.embeddings.token_type_embeddings.weight')[types[i]]),
      m('bert.embeddings.position_embeddings.weight')[i]),
    v('bert.embeddings.LayerNorm.weight'), v('bert.embeddings.LayerNorm.bias'), config.layer_norm_eps));
  const h2 = firstLayerToken0(t, config, 'bert', embedded, mask);
  const pooled = affine(m('bert.pooler.dense.weight'), v('bert.pooler.dense.bias'), h2).map(Math.tanh);
  return affine(m('classifier.weight'), v('classifier.bias'), pooled);
}

describe('ReferenceBert', () => {
  it('matches a hand computation: 1 layer, 2 and 4 heads, token types, padded rows', () => {
    for (const heads of [2, 4]) {
      const config = { ...tinyBertConfig, hidden_size: 8, num_attention_heads: heads };
      const tensors = randomTensors(config, 20 + heads, 0.8, 'bert');
      const padded = [...pairRow, 0, 0];
      const mask = [...ones(pairRow.length), 0, 0];
      const types = [...pairTypes, 0, 0];
      const [got] = new ReferenceBert(config, tensors).logits([padded], [mask], [types]);
      expect(Math.abs(got - oneLayerBertLogits(tensors, config, padded, mask, types)[0])).toBeLessThan(1e-12);
    }
  });

  it('reads token types: type 1 over the second text changes the logit; types under padding do not', () => {
    const tensors = randomTensors(tinyBertConfig, 3, 0.8, 'bert');
    const model = new ReferenceBert(tinyBertConfig, tensors);
    const [typed] = model.logits([pairRow], [ones(pairRow.length)], [pairTypes]);
    const [untyped] = model.logits([pairRow], [ones(pairRow.length)]);
    expect(Math.abs(typed - untyped)).toBeGreaterThan(1e-3);
    expect(untyped).toBe(model.logits([pairRow], [ones(pairRow.length)], [pairRow.map(() => 0)])[0]);
    const padded = model.logits([[...pairRow, 0]], [[...ones(pairRow.length), 0]], [[...pairTypes, 1]])[0];
    expect(Math.abs(padded - typed)).toBeLessThan(1e-12);
  });

  it('gives a row the same logit alone and right-padded in a batch, in any row order', () => {
    const model = new ReferenceBert(tinyBertConfig, randomTensors(tinyBertConfig, 4, 0.8, 'bert'));
    const short = { ids: [0, 6, 2, 8, 2], types: [0, 0, 0, 1, 1] };
    const long = { ids: [0, 4, 5, 6, 2, 7, 8, 9, 10, 2], types: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1] };
    const width = long.ids.length;
    const pad = (r: number[]) => [...r, ...new Array<number>(width - r.length).fill(0)];
    const maskOf = (r: number[]) => [...ones(r.length), ...new Array<number>(width - r.length).fill(0)];
    const [alone] = model.logits([short.ids], [ones(short.ids.length)], [short.types]);
    const batch = model.logits([pad(short.ids), long.ids], [maskOf(short.ids), ones(width)], [pad(short.types), long.types]);
    const reversed = model.logits([long.ids, pad(short.ids)], [ones(width), maskOf(short.ids)], [long.types, pad(short.types)]);
    expect(Math.abs(batch[0] - alone)).toBeLessThan(1e-12);
    expect(reversed).toEqual([batch[1], batch[0]]);
    expect(batch[0]).not.toBe(batch[1]);
  });

  it('two labels: logitRows gives both, each as the hand computation; logits refuses', () => {
    const tensors = randomTensors(tinyBertConfig, 5, 0.8, 'bert', 2);
    const config = { ...tinyBertConfig, id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } };
    const model = new ReferenceBert(config, tensors);
    expect(model.labels).toBe(2);
    const [got] = model.logitRows([pairRow], [ones(pairRow.length)], [pairTypes]);
    const hand = oneLayerBertLogits(tensors, config, pairRow, ones(pairRow.length), pairTypes);
    expect(got).toHaveLength(2);
    got.forEach((g, k) => expect(Math.abs(g - hand[k])).toBeLessThan(1e-12));
    expect(() => model.logits([pairRow], [ones(pairRow.length)])).toThrow(/2 labels; use logitRows/);
    // A config whose id2label says 1 label does not fit a [2, H] classifier.
    expect(() => new ReferenceBert(tinyBertConfig, tensors)).toThrow(/classifier\.weight has shape \[2,4\], expected \[1,4\]/);
  });

  it('throws clear errors for a missing tensor and bad inputs', () => {
    const missing = randomTensors(tinyBertConfig, 6, 0.8, 'bert');
    missing.delete('bert.pooler.dense.bias');
    expect(() => new ReferenceBert(tinyBertConfig, missing)).toThrow(/ReferenceBert: missing tensor bert\.pooler\.dense\.bias/);
    const model = new ReferenceBert(tinyBertConfig, randomTensors(tinyBertConfig, 6, 0.8, 'bert'));
    expect(() => model.logits([[0, 5]], [[1, 1]], [[0, 2]])).toThrow(/type 2 outside \[0, 2\)/);
    expect(() => model.logits([[0, 5]], [[1, 1]], [[0]])).toThrow(/2 ids but 1 token types/);
    expect(() => model.logits([[0, 5]], [[0, 1]])).toThrow(/masks out token 0/);
    const tooLong = new Array<number>(tinyBertConfig.max_position_embeddings + 1).fill(5);
    expect(() => model.logits([tooLong], [ones(tooLong.length)])).toThrow(/max_position_embeddings/);
    // All of max_position_embeddings is usable: no RoBERTa offset.
    const longest = tooLong.slice(1);
    expect(model.logits([longest], [ones(longest.length)])).toHaveLength(1);
  });
});

describe('ReferenceXlmr with two labels', () => {
  it('reads the label count from id2label: logitRows gives both, column 0 is the one-label model\'s logit', () => {
    const row = [0, 5, 7, 2, 2, 9, 4, 2];
    const config = { ...tinyConfig, id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } };
    const tensors = randomTensors(tinyConfig, 7, 0.8, 'xlmr', 2);
    const [both] = new ReferenceXlmr(config, tensors).logitRows([row], [ones(row.length)]);
    expect(both).toHaveLength(2);
    // Keep only the first output row of out_proj: the one-label model must give label 0's logit.
    const first = new Map(tensors);
    const w = tensors.get('classifier.out_proj.weight')!;
    first.set('classifier.out_proj.weight', { shape: [1, 4], data: w.data.slice(0, 4) });
    first.set('classifier.out_proj.bias', { shape: [1], data: tensors.get('classifier.out_proj.bias')!.data.slice(0, 1) });
    const [single] = new ReferenceXlmr(tinyConfig, first).logits([row], [ones(row.length)]);
    expect(single).toBe(both[0]);
    expect(both[1]).not.toBe(both[0]);
  });
});
