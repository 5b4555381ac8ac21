/**
 * What the Float64 oracles for XLM-R (xlmr.ts) and BERT (bert.ts) share, written from Hugging Face's
 * `modeling_roberta.py` / `modeling_bert.py`, whose encoder layers are the same: reading config.json and
 * model.safetensors, the post-LN encoder layers, the classifier's linear layers, and the row checks.
 *
 * Clarity over speed: row-major Float64Arrays and plain loops. Each row of a batch is run on its own, over only the
 * positions whose attention mask is 1. That is exact, not an approximation: masked positions are excluded as keys, so
 * they can influence nothing but their own query rows, and only token 0 is read by the classifier.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from './safetensors.js';

/** The config.json keys both oracles read. */
export interface EncoderConfig {
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
  /** The classifier's outputs, as Hugging Face counts them (`num_labels = len(id2label)`); absent means one. */
  id2label?: Record<string, string>;
}

export interface ReferenceTensor {
  shape: number[];
  data: Float64Array;
}

export interface LayerNormWeights {
  weight: Float64Array;
  bias: Float64Array;
}

export interface LinearWeights {
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

const CONFIG_KEYS: (keyof EncoderConfig)[] = [
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

/** Reads `dir/config.json` (`hidden_act` defaults to gelu, as in Hugging Face) and `dir/model.safetensors`. */
export function readModelDir(dir: string, owner: string): { config: EncoderConfig; tensors: Map<string, ReferenceTensor> } {
  const rawConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = { hidden_act: 'gelu', ...rawConfig } as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (config[key] === undefined) throw new Error(`${owner}: ${dir}/config.json has no "${key}"`);
  }
  return { config: config as unknown as EncoderConfig, tensors: readSafetensors(readFileSync(join(dir, 'model.safetensors'))) };
}

export function labelCount(config: EncoderConfig): number {
  return config.id2label ? Object.keys(config.id2label).length : 1;
}

/** Typed access to a model's tensors; every error names the oracle (`owner`) and the tensor. */
export class TensorReader {
  constructor(
    private readonly tensors: Map<string, ReferenceTensor>,
    readonly owner: string,
  ) {}

  get(name: string, shape: number[]): Float64Array {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`${this.owner}: missing tensor ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${this.owner}: tensor ${name} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)}`);
    }
    return t.data;
  }

  linear(prefix: string, outDim: number, inDim: number): LinearWeights {
    return { weight: this.get(`${prefix}.weight`, [outDim, inDim]), bias: this.get(`${prefix}.bias`, [outDim]), inDim, outDim };
  }

  layerNorm(prefix: string, dim: number): LayerNormWeights {
    return { weight: this.get(`${prefix}.weight`, [dim]), bias: this.get(`${prefix}.bias`, [dim]) };
  }
}

/** The encoder layers `<prefix>.encoder.layer.<l>` (`roberta` or `bert`): self-attention, then the FFN, each post-LN. */
export class EncoderLayers {
  private readonly layers: LayerWeights[] = [];
  private readonly headDim: number;

  constructor(
    private readonly config: EncoderConfig,
    reader: TensorReader,
    prefix: string,
  ) {
    const { hidden_size: H, intermediate_size: I, num_attention_heads: heads } = config;
    if (H % heads !== 0) throw new Error(`${reader.owner}: hidden_size ${H} is not divisible by ${heads} heads`);
    if (config.hidden_act !== 'gelu') {
      throw new Error(`${reader.owner}: hidden_act "${config.hidden_act}" is not supported (only exact "gelu")`);
    }
    this.headDim = H / heads;
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `${prefix}.encoder.layer.${l}`;
      this.layers.push({
        query: reader.linear(`${p}.attention.self.query`, H, H),
        key: reader.linear(`${p}.attention.self.key`, H, H),
        value: reader.linear(`${p}.attention.self.value`, H, H),
        attentionOutput: reader.linear(`${p}.attention.output.dense`, H, H),
        attentionLayerNorm: reader.layerNorm(`${p}.attention.output.LayerNorm`, H),
        intermediate: reader.linear(`${p}.intermediate.dense`, I, H),
        output: reader.linear(`${p}.output.dense`, H, I),
        outputLayerNorm: reader.layerNorm(`${p}.output.LayerNorm`, H),
      });
    }
  }

  /** Runs every layer over `n` embedded tokens [n, hidden]. */
  run(x: Float64Array, n: number): Float64Array {
    for (const layer of this.layers) x = this.layer(x, n, layer);
    return x;
  }

  private layer(x: Float64Array, n: number, w: LayerWeights): Float64Array {
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

/** Checks a batch's shapes; returns each row's logits from `rowLogits`. */
export function mapRows(owner: string, inputIds: number[][], attentionMask: number[][], tokenTypeIds: number[][] | undefined,
  rowLogits: (ids: number[], mask: number[], types: number[], row: number) => Float64Array): number[][] {
  if (inputIds.length !== attentionMask.length) {
    throw new Error(`${owner}: ${inputIds.length} rows of ids but ${attentionMask.length} rows of mask`);
  }
  if (tokenTypeIds && tokenTypeIds.length !== inputIds.length) {
    throw new Error(`${owner}: ${inputIds.length} rows of ids but ${tokenTypeIds.length} rows of token types`);
  }
  return inputIds.map((ids, row) => {
    const mask = attentionMask[row];
    if (ids.length !== mask.length) throw new Error(`${owner}: row ${row} has ${ids.length} ids but ${mask.length} mask entries`);
    const types = tokenTypeIds?.[row] ?? ids.map(() => 0);
    if (types.length !== ids.length) {
      throw new Error(`${owner}: row ${row} has ${ids.length} ids but ${types.length} token types`);
    }
    if (ids.length === 0) throw new Error(`${owner}: row ${row} is empty`);
    if (mask[0] !== 1) throw new Error(`${owner}: row ${row} masks out token 0, the one the classifier reads`);
    return Array.from(rowLogits(ids, mask, types, row));
  });
}

/** One logit per row, for a one-label model. */
export function singleLogits(owner: string, labels: number, rows: number[][]): number[] {
  if (labels !== 1) throw new Error(`${owner}: the model has ${labels} labels; use logitRows`);
  return rows.map((r) => r[0]);
}

/** The positions whose mask is 1, in order; any mask value but 0 and 1 is refused. */
export function keptPositions(owner: string, mask: number[], row: number): number[] {
  const kept: number[] = [];
  mask.forEach((m, i) => {
    if (m !== 0 && m !== 1) throw new Error(`${owner}: row ${row} mask has value ${m} (expected 0 or 1)`);
    if (m === 1) kept.push(i);
  });
  return kept;
}

/** y[t, o] = b[o] + Σ_i x[t, i] · W[o, i] for each of `rows` rows. */
export function linearRows(x: Float64Array, rows: number, w: LinearWeights): Float64Array {
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
export function layerNormRows(x: Float64Array, rows: number, dim: number, w: LayerNormWeights, eps: number): Float64Array {
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
