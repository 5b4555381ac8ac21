/**
 * The independent oracle: a plain Float64 forward pass of Hugging Face's `XLMRobertaForSequenceClassification`
 * (one label), written from `modeling_xlm_roberta.py`, never from an ONNX graph. It reads Hugging Face tensor names
 * from `model.safetensors` and the architecture from `config.json`.
 *
 * Clarity over speed: row-major Float64Arrays and plain loops. Each row of a batch is run on its own, over only the
 * positions whose attention mask is 1. That is exact, not an approximation: masked positions are excluded as keys, so
 * they can influence nothing but their own query rows, and only token 0 (`<s>`) is read by the classifier.
 *
 * @example
 * const ref = ReferenceXlmr.fromDir('models/tiny');
 * ref.logits([[0, 40, 2, 2, 51, 2], [0, 7, 2, 2, 9, 1]], [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]]);
 * // [0.731..., -1.204...]  (one raw logit per row; apply a sigmoid for a relevance score)
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from './safetensors.js';

export interface XlmrConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  pad_token_id: number;
  hidden_act: string;
}

export interface ReferenceTensor {
  shape: number[];
  data: Float64Array;
}

interface LayerNormWeights {
  weight: Float64Array;
  bias: Float64Array;
}

interface LinearWeights {
  /** [out, in], row-major, as Hugging Face stores `nn.Linear.weight`: y = x Wᵀ + b. */
  weight: Float64Array;
  bias: Float64Array;
  inDim: number;
  outDim: number;
}

interface LayerWeights {
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  attentionOutput: LinearWeights;
  attentionLayerNorm: LayerNormWeights;
  intermediate: LinearWeights;
  output: LinearWeights;
  outputLayerNorm: LayerNormWeights;
}

const CONFIG_KEYS: (keyof XlmrConfig)[] = [
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'max_position_embeddings',
  'type_vocab_size',
  'layer_norm_eps',
  'pad_token_id',
  'hidden_act',
];

export class ReferenceXlmr {
  readonly config: XlmrConfig;
  private readonly headDim: number;
  private readonly wordEmbeddings: Float64Array;
  private readonly positionEmbeddings: Float64Array;
  private readonly tokenTypeEmbeddings: Float64Array;
  private readonly embeddingLayerNorm: LayerNormWeights;
  private readonly layers: LayerWeights[];
  private readonly classifierDense: LinearWeights;
  private readonly classifierOutProj: LinearWeights;

  /** Reads `dir/config.json` and `dir/model.safetensors`. */
  static fromDir(dir: string): ReferenceXlmr {
    const rawConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const config = { hidden_act: 'gelu', ...rawConfig } as Record<string, unknown>;
    for (const key of CONFIG_KEYS) {
      if (config[key] === undefined) throw new Error(`ReferenceXlmr: ${dir}/config.json has no "${key}"`);
    }
    const tensors = readSafetensors(readFileSync(join(dir, 'model.safetensors')));
    return new ReferenceXlmr(config as unknown as XlmrConfig, tensors);
  }

  constructor(config: XlmrConfig, tensors: Map<string, ReferenceTensor>) {
    const { hidden_size: H, intermediate_size: I, num_attention_heads: heads } = config;
    if (H % heads !== 0) throw new Error(`ReferenceXlmr: hidden_size ${H} is not divisible by ${heads} heads`);
    if (config.hidden_act !== 'gelu') {
      throw new Error(`ReferenceXlmr: hidden_act "${config.hidden_act}" is not supported (only exact "gelu")`);
    }
    this.config = { ...config };
    this.headDim = H / heads;

    const get = (name: string, shape: number[]): Float64Array => {
      const t = tensors.get(name);
      if (!t) throw new Error(`ReferenceXlmr: missing tensor ${name}`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new Error(
          `ReferenceXlmr: tensor ${name} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)}`,
        );
      }
      return t.data;
    };
    const linear = (prefix: string, outDim: number, inDim: number): LinearWeights => ({
      weight: get(`${prefix}.weight`, [outDim, inDim]),
      bias: get(`${prefix}.bias`, [outDim]),
      inDim,
      outDim,
    });
    const layerNorm = (prefix: string): LayerNormWeights => ({
      weight: get(`${prefix}.weight`, [H]),
      bias: get(`${prefix}.bias`, [H]),
    });

    this.wordEmbeddings = get('roberta.embeddings.word_embeddings.weight', [config.vocab_size, H]);
    this.positionEmbeddings = get('roberta.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
    this.tokenTypeEmbeddings = get('roberta.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
    this.embeddingLayerNorm = layerNorm('roberta.embeddings.LayerNorm');
    this.layers = [];
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `roberta.encoder.layer.${l}`;
      this.layers.push({
        query: linear(`${p}.attention.self.query`, H, H),
        key: linear(`${p}.attention.self.key`, H, H),
        value: linear(`${p}.attention.self.value`, H, H),
        attentionOutput: linear(`${p}.attention.output.dense`, H, H),
        attentionLayerNorm: layerNorm(`${p}.attention.output.LayerNorm`),
        intermediate: linear(`${p}.intermediate.dense`, I, H),
        output: linear(`${p}.output.dense`, H, I),
        outputLayerNorm: layerNorm(`${p}.output.LayerNorm`),
      });
    }
    this.classifierDense = linear('classifier.dense', H, H);
    this.classifierOutProj = linear('classifier.out_proj', 1, H);
  }

  /** One raw logit per row, for right-padded batches whose rows may have different true lengths. */
  logits(inputIds: number[][], attentionMask: number[][]): number[] {
    if (inputIds.length !== attentionMask.length) {
      throw new Error(`ReferenceXlmr: ${inputIds.length} rows of ids but ${attentionMask.length} rows of mask`);
    }
    return inputIds.map((ids, row) => {
      const mask = attentionMask[row];
      if (ids.length !== mask.length) {
        throw new Error(`ReferenceXlmr: row ${row} has ${ids.length} ids but ${mask.length} mask entries`);
      }
      return this.rowLogit(ids, mask, row);
    });
  }

  private rowLogit(ids: number[], mask: number[], row: number): number {
    const { hidden_size: H, pad_token_id: pad, vocab_size, max_position_embeddings } = this.config;
    if (ids.length === 0) throw new Error(`ReferenceXlmr: row ${row} is empty`);
    if (mask[0] !== 1) throw new Error(`ReferenceXlmr: row ${row} masks out token 0, the one the classifier reads`);

    // RoBERTa's create_position_ids_from_input_ids: derived from ids != pad over the whole row, not from the mask.
    const positions: number[] = [];
    let count = 0;
    for (const id of ids) {
      if (id !== pad) count++;
      positions.push(id !== pad ? count + pad : pad);
    }

    const kept: number[] = [];
    mask.forEach((m, i) => {
      if (m !== 0 && m !== 1) throw new Error(`ReferenceXlmr: row ${row} mask has value ${m} (expected 0 or 1)`);
      if (m === 1) kept.push(i);
    });
    const n = kept.length;

    // Embeddings: word + position + token type 0, then LayerNorm.
    let x: Float64Array = new Float64Array(n * H);
    kept.forEach((i, t) => {
      const id = ids[i];
      const pos = positions[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocab_size) {
        throw new Error(`ReferenceXlmr: row ${row} token ${i} id ${id} outside vocabulary [0, ${vocab_size})`);
      }
      if (pos >= max_position_embeddings) {
        throw new Error(`ReferenceXlmr: row ${row} position id ${pos} >= max_position_embeddings ${max_position_embeddings}`);
      }
      for (let c = 0; c < H; c++) {
        x[t * H + c] =
          this.wordEmbeddings[id * H + c] + this.positionEmbeddings[pos * H + c] + this.tokenTypeEmbeddings[c];
      }
    });
    x = layerNormRows(x, n, H, this.embeddingLayerNorm, this.config.layer_norm_eps);

    for (const layer of this.layers) x = this.encoderLayer(x, n, layer);

    // Classification head on token 0 (`<s>`); dropout is identity at inference.
    const cls = x.subarray(0, H);
    const dense = linearRows(cls, 1, this.classifierDense).map(Math.tanh);
    return linearRows(dense, 1, this.classifierOutProj)[0];
  }

  private encoderLayer(x: Float64Array, n: number, w: LayerWeights): Float64Array {
    const H = this.config.hidden_size;
    const heads = this.config.num_attention_heads;
    const d = this.headDim;
    const eps = this.config.layer_norm_eps;
    const q = linearRows(x, n, w.query);
    const k = linearRows(x, n, w.key);
    const v = linearRows(x, n, w.value);

    // Head h owns the contiguous columns [h*d, (h+1)*d) of Q, K and V (HF's view(batch, seq, heads, head_dim)).
    const context = new Float64Array(n * H);
    const scale = 1 / Math.sqrt(d);
    const probs = new Float64Array(n);
    for (let h = 0; h < heads; h++) {
      const off = h * d;
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += q[i * H + off + c] * k[j * H + off + c];
          probs[j] = dot * scale;
          if (probs[j] > max) max = probs[j];
        }
        let sum = 0;
        for (let j = 0; j < n; j++) {
          probs[j] = Math.exp(probs[j] - max);
          sum += probs[j];
        }
        for (let j = 0; j < n; j++) {
          const p = probs[j] / sum;
          for (let c = 0; c < d; c++) context[i * H + off + c] += p * v[j * H + off + c];
        }
      }
    }

    const attention = linearRows(context, n, w.attentionOutput);
    for (let i = 0; i < n * H; i++) attention[i] += x[i];
    const afterAttention = layerNormRows(attention, n, H, w.attentionLayerNorm, eps);

    const inner = linearRows(afterAttention, n, w.intermediate);
    for (let i = 0; i < inner.length; i++) inner[i] = gelu(inner[i]);
    const out = linearRows(inner, n, w.output);
    for (let i = 0; i < n * H; i++) out[i] += afterAttention[i];
    return layerNormRows(out, n, H, w.outputLayerNorm, eps);
  }
}

/** y[t, o] = b[o] + Σ_i x[t, i] · W[o, i] for each of `rows` rows. */
function linearRows(x: Float64Array, rows: number, w: LinearWeights): Float64Array {
  const { inDim, outDim, weight, bias } = w;
  const y = new Float64Array(rows * outDim);
  for (let t = 0; t < rows; t++) {
    for (let o = 0; o < outDim; o++) {
      let acc = bias[o];
      for (let i = 0; i < inDim; i++) acc += x[t * inDim + i] * weight[o * inDim + i];
      y[t * outDim + o] = acc;
    }
  }
  return y;
}

/** LayerNorm over the last axis with the biased variance, as torch.nn.LayerNorm. */
function layerNormRows(x: Float64Array, rows: number, dim: number, w: LayerNormWeights, eps: number): Float64Array {
  const y = new Float64Array(rows * dim);
  for (let t = 0; t < rows; t++) {
    let mean = 0;
    for (let c = 0; c < dim; c++) mean += x[t * dim + c];
    mean /= dim;
    let variance = 0;
    for (let c = 0; c < dim; c++) variance += (x[t * dim + c] - mean) ** 2;
    variance /= dim;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < dim; c++) y[t * dim + c] = (x[t * dim + c] - mean) * inv * w.weight[c] + w.bias[c];
  }
  return y;
}

/** Exact GELU, as torch's default `nn.GELU()`: x · Φ(x) = x/2 · (1 + erf(x/√2)). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

/**
 * erf in float64, to a few ulps.
 * |x| < 3: erf(x) = 2/√π · e^{-x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·5···(2n+1)); every term is positive, so no cancellation.
 * |x| ≥ 3: erf(x) = 1 − erfc(x) with erfc's continued fraction
 *   erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated by the modified Lentz method.
 *
 * @example
 * erf(1); // 0.8427007929497149
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x >= 6) return 1; // erfc(6) ≈ 2.2e-17, below half an ulp of 1
  if (x < 3) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  return 1 - erfcContinuedFraction(x);
}

function erfcContinuedFraction(x: number): number {
  // f = x + a1/(x + a2/(x + …)) with a_k = k/2; erfc(x) = e^{-x²}/√π / f.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}
