/**
 * A hand computation of one post-LN encoder layer, for the oracles' tests (reference-xlmr, reference-bert): nested
 * arrays and plain reductions, deliberately unlike the reference's flat loops, shared by both architectures since
 * their layers are the same.
 */
import { erf, type ReferenceTensor, type XlmrConfig } from '../../tools/reference/xlmr.ts';

export const rowsOf = (t: ReferenceTensor): number[][] =>
  Array.from({ length: t.shape[0] }, (_, r) => Array.from(t.data.subarray(r * t.shape[1], (r + 1) * t.shape[1])));
export const affine = (W: number[][], b: number[], x: number[]) => W.map((w, o) => b[o] + w.reduce((s, wi, i) => s + wi * x[i], 0));
export const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i]);
export function layerNorm(x: number[], w: number[], b: number[], eps: number): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i] + b[i]);
}

/** A checkpoint's tensors as vectors (`v`) and row lists (`m`). */
export function tensorsOf(t: Map<string, ReferenceTensor>) {
  return { v: (name: string) => Array.from(t.get(name)!.data), m: (name: string) => rowsOf(t.get(name)!) };
}

/**
 * Token 0's output of encoder layer 0 (`${prefix}.encoder.layer.0`) over the embedded tokens: a per-head softmax over
 * the unmasked keys, the attention output and its LayerNorm, the GELU FFN and its LayerNorm.
 */
export function firstLayerToken0(t: Map<string, ReferenceTensor>, config: XlmrConfig, prefix: string, embedded: number[][],
  mask: number[]): number[] {
  const { v, m } = tensorsOf(t);
  const eps = config.layer_norm_eps;
  const p = `${prefix}.encoder.layer.0`;
  const project = (name: string) => (x: number[]) => affine(m(`${p}.attention.self.${name}.weight`), v(`${p}.attention.self.${name}.bias`), x);
  const kept = embedded.filter((_, i) => mask[i] === 1);
  const query = project('query')(embedded[0]);
  const keys = kept.map(project('key'));
  const values = kept.map(project('value'));
  const d = config.hidden_size / config.num_attention_heads;
  const context: number[] = [];
  for (let h = 0; h < config.num_attention_heads; h++) {
    const cols = (x: number[]) => x.slice(h * d, (h + 1) * d);
    const weights = keys.map((k) => Math.exp(cols(k).reduce((s, kc, c) => s + kc * cols(query)[c], 0) / Math.sqrt(d)));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let c = 0; c < d; c++) context.push(values.reduce((s, val, j) => s + (weights[j] / total) * cols(val)[c], 0));
  }
  const attention = affine(m(`${p}.attention.output.dense.weight`), v(`${p}.attention.output.dense.bias`), context);
  const h1 = layerNorm(add(attention, embedded[0]), v(`${p}.attention.output.LayerNorm.weight`),
    v(`${p}.attention.output.LayerNorm.bias`), eps);
  const inner = affine(m(`${p}.intermediate.dense.weight`), v(`${p}.intermediate.dense.bias`), h1).map(
    (z) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
  );
  return layerNorm(add(affine(m(`${p}.output.dense.weight`), v(`${p}.output.dense.bias`), inner), h1),
    v(`${p}.output.LayerNorm.weight`), v(`${p}.output.LayerNorm.bias`), eps);
}
