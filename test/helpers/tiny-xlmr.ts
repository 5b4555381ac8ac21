/**
 * A tiny XLM-R config (and its BERT twin), seeded random weights for either, and an input row: the fixtures of the
 * references' own tests.
 */
import type { ReferenceTensor, XlmrConfig } from '../../tools/reference/xlmr.ts';

/** mulberry32: a small seeded PRNG, so the tests are deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const tinyConfig: XlmrConfig = {
  vocab_size: 12,
  hidden_size: 4,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 6,
  max_position_embeddings: 20,
  type_vocab_size: 1,
  layer_norm_eps: 1e-5,
  pad_token_id: 1,
  hidden_act: 'gelu',
};

/** The same sizes as BERT: two token types, pad id 0 (BERT's positions do not depend on it), LayerNorm eps 1e-12. */
export const tinyBertConfig: XlmrConfig = { ...tinyConfig, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0 };

/**
 * Every tensor the reference reads, filled with uniform(-scale, scale) values (LayerNorm weights around 1), under
 * XLM-R's names (`roberta.*`, classifier.dense / out_proj) or BERT's (`bert.*`, the pooler, classifier).
 */
export function randomTensors(config: XlmrConfig, seed: number, scale = 0.8, arch: 'xlmr' | 'bert' = 'xlmr',
  labels = 1): Map<string, ReferenceTensor> {
  const prefix = arch === 'bert' ? 'bert' : 'roberta';
  const random = rng(seed);
  const { hidden_size: H, intermediate_size: I } = config;
  const tensors = new Map<string, ReferenceTensor>();
  const add = (name: string, shape: number[], center = 0) => {
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = center + scale * (2 * random() - 1);
    tensors.set(name, { shape, data });
  };
  const linear = (prefix: string, out: number, inp: number) => {
    add(`${prefix}.weight`, [out, inp]);
    add(`${prefix}.bias`, [out]);
  };
  const layerNorm = (prefix: string) => {
    add(`${prefix}.weight`, [H], 1);
    add(`${prefix}.bias`, [H]);
  };
  add(`${prefix}.embeddings.word_embeddings.weight`, [config.vocab_size, H]);
  add(`${prefix}.embeddings.position_embeddings.weight`, [config.max_position_embeddings, H]);
  add(`${prefix}.embeddings.token_type_embeddings.weight`, [config.type_vocab_size, H]);
  layerNorm(`${prefix}.embeddings.LayerNorm`);
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `${prefix}.encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    layerNorm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, I, H);
    linear(`${p}.output.dense`, H, I);
    layerNorm(`${p}.output.LayerNorm`);
  }
  if (arch === 'bert') {
    linear('bert.pooler.dense', H, H);
    linear('classifier', labels, H);
  } else {
    linear('classifier.dense', H, H);
    linear('classifier.out_proj', labels, H);
  }
  return tensors;
}

/** The row most tests score: `<s>` (0), tokens and `</s>` separators (2), no padding. */
export const row = [0, 5, 7, 2, 2, 9, 4, 2];
/** A mask of n ones. */
export const ones = (n: number) => new Array<number>(n).fill(1);
