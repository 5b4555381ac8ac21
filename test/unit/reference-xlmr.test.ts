/**
 * The independent oracle's forward pass (ReferenceXlmr, tools/reference/) against a hand computation, and its invariances
 * under padding, batch order, head order and unused position rows.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceXlmr, type ReferenceTensor, type XlmrConfig } from '../../tools/reference/xlmr.ts';
import { add, affine, firstLayerToken0, layerNorm, tensorsOf } from '../helpers/hand-encoder.ts';
import { ones, randomTensors, row, tinyConfig } from '../helpers/tiny-xlmr.ts';

/**
 * The logit of a 1-layer model, computed for token 0 only (the only query row a 1-layer classifier reads), with
 * nested arrays and a per-head softmax over the unmasked keys.
 */
function oneLayerLogit(t: Map<string, ReferenceTensor>, config: XlmrConfig, ids: number[], mask: number[]) {
  const { v, m } = tensorsOf(t);
  let nonPad = 0;
  const positions = ids.map((id) => (id === config.pad_token_id ? 1 : ++nonPad + 1));
  const embedded = ids.map((id, i) =>
    layerNorm(
      add(add(m('roberta.embeddings.word_embeddings.weight')[id], m('roberta.embeddings.position_embeddings.weight')[positions[i]]),
        m('roberta.embeddings.token_type_embeddings.weight')[0]),
      v('roberta.embeddings.LayerNorm.weight'),
      v('roberta.embeddings.LayerNorm.bias'),
      config.layer_norm_eps,
    ),
  );
  const h2 = firstLayerToken0(t, config, 'roberta', embedded, mask);
  const pooled = affine(m('classifier.dense.weight'), v('classifier.dense.bias'), h2).map(Math.tanh);
  return affine(m('classifier.out_proj.weight'), v('classifier.out_proj.bias'), pooled)[0];
}

describe('ReferenceXlmr', () => {
  it('matches a hand computation when attention is uniform (key weights zero); masked tokens are excluded', () => {
    const tensors = randomTensors(tinyConfig, 1);
    tensors.get('roberta.encoder.layer.0.attention.self.key.weight')!.data.fill(0);
    const model = new ReferenceXlmr(tinyConfig, tensors);
    const padded = [...row, 1, 1];
    const mask = [...ones(row.length), 0, 0];
    const [got] = model.logits([padded], [mask]);
    expect(Math.abs(got - oneLayerLogit(tensors, tinyConfig, padded, mask))).toBeLessThan(1e-12);
    // The same row unmasked gives a different answer: the padding really is excluded, not just ignored by luck.
    expect(Math.abs(got - oneLayerLogit(tensors, tinyConfig, padded, ones(padded.length)))).toBeGreaterThan(1e-6);
  });

  it('matches a hand computation with real attention: 1 layer, 2 and 4 heads, padded rows', () => {
    for (const heads of [2, 4]) {
      const config = { ...tinyConfig, hidden_size: 8, num_attention_heads: heads };
      const tensors = randomTensors(config, 10 + heads);
      const model = new ReferenceXlmr(config, tensors);
      const padded = [...row, 1, 1, 1];
      const mask = [...ones(row.length), 0, 0, 0];
      const [got] = model.logits([padded], [mask]);
      expect(Math.abs(got - oneLayerLogit(tensors, config, padded, mask))).toBeLessThan(1e-12);
    }
  });

  it('gives a row the same logit alone and right-padded in a batch, in any row order', () => {
    const model = new ReferenceXlmr(tinyConfig, randomTensors(tinyConfig, 2));
    const short = [0, 6, 2, 2, 8, 2];
    const long = [0, 4, 5, 6, 2, 2, 7, 8, 9, 10, 2];
    const pad = (r: number[]) => [...r, ...new Array<number>(long.length - r.length).fill(1)];
    const maskOf = (r: number[]) => [...ones(r.length), ...new Array<number>(long.length - r.length).fill(0)];
    const [alone] = model.logits([short], [ones(short.length)]);
    const [longAlone] = model.logits([long], [ones(long.length)]);
    const batch = model.logits([pad(short), long, pad(row)], [maskOf(short), ones(long.length), maskOf(row)]);
    const reversed = model.logits([pad(row), long, pad(short)], [maskOf(row), ones(long.length), maskOf(short)]);
    expect(Math.abs(batch[0] - alone)).toBeLessThan(1e-12);
    expect(Math.abs(batch[1] - longAlone)).toBeLessThan(1e-12);
    expect(reversed).toEqual([batch[2], batch[1], batch[0]]);
    expect(new Set(batch).size).toBe(3);
  });

  it('is unchanged when two heads swap places (heads own contiguous column blocks)', () => {
    const config = { ...tinyConfig, hidden_size: 6, num_attention_heads: 3 };
    const H = config.hidden_size;
    const tensors = randomTensors(config, 3);
    const logit = (t: Map<string, ReferenceTensor>) => new ReferenceXlmr(config, t).logits([row], [ones(row.length)])[0];
    const self = (name: string) => `roberta.encoder.layer.0.attention.self.${name}`;
    /** Reorders the output features of a linear layer: new output o is old output perm[o]. */
    const permuteOutputs = (t: Map<string, ReferenceTensor>, prefix: string, perm: number[]) => {
      const w = tensors.get(`${prefix}.weight`)!;
      const b = tensors.get(`${prefix}.bias`)!;
      const w2 = new Float64Array(w.data.length);
      perm.forEach((src, o) => w2.set(w.data.subarray(src * H, (src + 1) * H), o * H));
      t.set(`${prefix}.weight`, { shape: w.shape, data: w2 });
      t.set(`${prefix}.bias`, { shape: b.shape, data: Float64Array.from(perm, (src) => b.data[src]) });
    };

    // Head h owns columns [2h, 2h+2): swap heads 0 and 2 in Q, K, V (output rows) and attention.output (input cols).
    const headSwap = [4, 5, 2, 3, 0, 1];
    const swapped = new Map(tensors);
    for (const name of ['query', 'key', 'value']) permuteOutputs(swapped, self(name), headSwap);
    const dense = tensors.get('roberta.encoder.layer.0.attention.output.dense.weight')!;
    const dense2 = new Float64Array(H * H);
    for (let o = 0; o < H; o++) headSwap.forEach((src, i) => (dense2[o * H + i] = dense.data[o * H + src]));
    swapped.set('roberta.encoder.layer.0.attention.output.dense.weight', { shape: dense.shape, data: dense2 });
    expect(Math.abs(logit(swapped) - logit(tensors))).toBeLessThan(1e-12);

    // Control: a permutation of Q and K that moves a column between heads 0 and 1 must change the logit.
    const mixed = new Map(tensors);
    for (const name of ['query', 'key']) permuteOutputs(mixed, self(name), [0, 2, 1, 3, 4, 5]);
    expect(Math.abs(logit(mixed) - logit(tensors))).toBeGreaterThan(1e-6);
  });

  it('uses RoBERTa position ids: 2, 3, … for tokens, 1 for padding; rows 0 and past the end are never read', () => {
    const tensors = randomTensors(tinyConfig, 4);
    const positions = tensors.get('roberta.embeddings.position_embeddings.weight')!;
    const logit = () => new ReferenceXlmr(tinyConfig, tensors).logits([[...row, 1]], [[...ones(row.length), 0]])[0];
    const base = logit();
    const H = tinyConfig.hidden_size;
    const original = Float64Array.from(positions.data);
    // Row 0 is never used; row 1 only by the (masked) padding token; rows beyond 2 + row.length - 1 are unused.
    for (const unused of [0, 1, row.length + 2, tinyConfig.max_position_embeddings - 1]) {
      positions.data.fill(100, unused * H, (unused + 1) * H);
      expect(logit()).toBe(base);
      positions.data.set(original);
    }
    for (const used of [2, row.length + 1]) {
      positions.data.fill(100, used * H, (used + 1) * H);
      expect(Math.abs(logit() - base)).toBeGreaterThan(1e-6);
      positions.data.set(original);
    }
  });
});
