/**
 * What the XLM-R and BERT graphs share: linear layers and LayerNorms over the generated weights, the additive attention
 * mask, the post-LN encoder layers (plain MatMul / Add / Softmax attention, exact GELU through Erf), and the logits
 * output. Each architecture's graph (graph.ts, bert-graph.ts) adds its own embeddings and head around them.
 */
import { DataType, type DataTypeCode, type NodeMsg, type TensorMsg } from './onnx-proto.ts';
import { floatAttr, GraphBuilder, intAttr, intsAttr, type InitializerSink } from './graph-builder.ts';
import { MS_DOMAIN, weightOps, type WeightOps } from './weight-ops.ts';
import { compactGather, isCompactTable, type CompactEmbeddingOptions } from './embedding-q4.ts';
import { tableInMemory, type TableSource } from './table-rows.ts';
import type { GeneratedDtype } from './presets.ts';
import { transpose2d, type ModelWeights } from './weights.ts';

export interface BuiltGraph {
  nodes: NodeMsg[];
  initializers: TensorMsg[];
  floatType: DataTypeCode;
  /** The logits' element type: float32, or float16 for a half-precision graph with `float16Logits`. */
  logitsType: DataTypeCode;
  /** Operator sets beyond the default domain's (q4 adds com.microsoft 1, as MatMulNBitsQuantizer does). */
  extraOpsets: { domain: string; version: number }[];
}

export interface GraphOptions extends CompactEmbeddingOptions {
  /** fp16 / q4f16 only: leave the logits in float16 (no final Cast), as this generator's first fp16 files had them. */
  float16Logits?: boolean;
}

/** Whether a dtype computes in half precision. */
export const isHalfPrecision = (dtype: GeneratedDtype): boolean => dtype === 'fp16' || dtype === 'q4f16';

export class EncoderGraph {
  readonly g: GraphBuilder;
  readonly ops: WeightOps;
  readonly half: boolean;
  private readonly headDim: number;
  /** Constants by name: each is written once, where first asked for, however many places read it. */
  private readonly constants = new Map<string, string>();

  constructor(
    readonly weights: ModelWeights,
    readonly dtype: GeneratedDtype,
    sink: InitializerSink,
    private readonly layerNormEps: number,
    private readonly options: GraphOptions = {},
  ) {
    const d = weights.dims;
    this.headDim = d.hidden / d.heads;
    if (!Number.isInteger(this.headDim)) throw new Error(`hidden ${d.hidden} is not divisible by ${d.heads} heads`);
    this.half = isHalfPrecision(dtype);
    this.g = new GraphBuilder(this.half ? DataType.FLOAT16 : DataType.FLOAT, sink);
    this.ops = weightOps(this.g, dtype);
  }

  /** A float scalar in the graph's float type, written on first use. */
  scalar(name: string, value: number): string {
    return this.once(name, () => this.g.scalar(name, value));
  }

  /** An int64 constant, written on first use. */
  int64(name: string, dims: number[], values: number[]): string {
    return this.once(name, () => this.g.int64(name, dims, values));
  }

  private once(name: string, write: () => string): string {
    let written = this.constants.get(name);
    if (written === undefined) {
      written = write();
      this.constants.set(name, written);
    }
    return written;
  }

  /** table[indices] for the embedding table `name`; `word` marks the word table (q8 quantises only that one). */
  gather(name: string, indices: string, path: string, word = false): string {
    const [rows, cols] = this.weights.spec(name).shape;
    const weights = this.weights;
    const table: TableSource = weights.rows
      ? { rows, cols, read: (first, count) => weights.rows!(name, first, count) }
      : tableInMemory(weights.get(name), rows, cols);
    if (isCompactTable(name, this.dtype, this.options)) {
      return compactGather(this.g, this.options.embeddingLookup ?? 'unpack', name, table,
        indices, path, (constant, values) => this.int64(constant, [values.length], values));
    }
    return this.ops.gather(name, table, indices, path, word);
  }

  /** x · Wᵀ + b for a Hugging Face linear layer `prefix` (weights stored [out, in]). */
  linear(x: string, prefix: string, path: string): string {
    const { weights, g } = this;
    const spec = weights.spec(`${prefix}.weight`);
    const [out, inp] = spec.shape;
    const wT = transpose2d(weights.get(spec.name), out, inp);
    const y = this.ops.matMul(x, `${prefix}.weight.T`, wT, inp, out, path);
    return g.op1('Add', `${path}/Add`, [y, g.float(`${prefix}.bias`, [out], weights.get(`${prefix}.bias`))]);
  }

  layerNorm(x: string, prefix: string, path: string): string {
    const { weights, g } = this;
    const hidden = weights.dims.hidden;
    return g.op1(
      'LayerNormalization',
      `${path}/LayerNormalization`,
      [x, g.float(`${prefix}.weight`, [hidden], weights.get(`${prefix}.weight`)),
        g.float(`${prefix}.bias`, [hidden], weights.get(`${prefix}.bias`))],
      [intAttr('axis', -1), floatAttr('epsilon', this.layerNormEps)],
    );
  }

  /** The additive attention mask [batch, 1, 1, sequence]: 0 where attended, a large finite negative where padded. */
  attentionMask(path: string): string {
    const g = this.g;
    // Finite, not -inf: 0 × -inf is NaN; fp16 uses -1e4 so that adding scores cannot overflow to -inf.
    const maskValue = this.half ? -1e4 : -3.4028234663852886e38;
    const maskF = g.op1('Cast', `${path}/Cast`, ['attention_mask'], [intAttr('to', g.floatType)]);
    const inverted = g.op1('Sub', `${path}/Sub`, [this.scalar('one', 1), maskF]);
    const additive = g.op1('Mul', `${path}/Mul`, [inverted, this.scalar('mask_value', maskValue)]);
    return g.op1('Unsqueeze', `${path}/Unsqueeze`, [additive, this.int64('axes_1_2', [2], [1, 2])]);
  }

  /** The post-LN encoder layers `<prefix>.encoder.layer.<i>` over `hidden` [batch, sequence, hidden]. */
  encoderLayers(hidden: string, mask: string, prefix: string): string {
    const { g, weights } = this;
    const d = weights.dims;
    const splitHeads = this.int64('split_heads_shape', [4], [0, 0, d.heads, this.headDim]);
    const mergeHeads = this.int64('merge_heads_shape', [3], [0, 0, d.hidden]);
    const scoreScale = this.scalar('attention_scale', 1 / Math.sqrt(this.headDim));
    const sqrtHalf = this.scalar('sqrt1_2', Math.SQRT1_2);
    const halfScalar = this.scalar('half', 0.5);
    const one = this.scalar('one', 1);

    for (let i = 0; i < d.layers; i++) {
      const p = `${prefix}.encoder.layer.${i}`;
      const path = `/${prefix}/encoder/layer.${i}`;
      const heads = (name: string, perm: number[]) =>
        g.op1('Transpose', `${path}/attention/self/${name}/Transpose`, [
          g.op1('Reshape', `${path}/attention/self/${name}/Reshape`, [
            this.linear(hidden, `${p}.attention.self.${name}`, `${path}/attention/self/${name}`),
            splitHeads,
          ]),
        ], [intsAttr('perm', perm)]);
      const q = heads('query', [0, 2, 1, 3]); // [B, h, S, d]
      const k = heads('key', [0, 2, 3, 1]); // [B, h, d, S]
      const v = heads('value', [0, 2, 1, 3]); // [B, h, S, d]
      const scores = g.op1('Mul', `${path}/attention/self/Mul`, [
        g.op1('MatMul', `${path}/attention/self/MatMul`, [q, k]),
        scoreScale,
      ]);
      const probs = g.op1('Softmax', `${path}/attention/self/Softmax`, [
        g.op1('Add', `${path}/attention/self/Add`, [scores, mask]),
      ], [intAttr('axis', -1)]);
      const context = g.op1('Reshape', `${path}/attention/self/Reshape_merge`, [
        g.op1('Transpose', `${path}/attention/self/Transpose_merge`, [
          g.op1('MatMul', `${path}/attention/self/MatMul_1`, [probs, v]),
        ], [intsAttr('perm', [0, 2, 1, 3])]),
        mergeHeads,
      ]);
      const attended = g.op1('Add', `${path}/attention/output/Add_residual`, [
        this.linear(context, `${p}.attention.output.dense`, `${path}/attention/output/dense`),
        hidden,
      ]);
      hidden = this.layerNorm(attended, `${p}.attention.output.LayerNorm`, `${path}/attention/output/LayerNorm`);

      // Exact GELU: 0.5 · x · (1 + erf(x / √2)).
      const pre = this.linear(hidden, `${p}.intermediate.dense`, `${path}/intermediate/dense`);
      const erf = g.op1('Erf', `${path}/intermediate/Erf`, [
        g.op1('Mul', `${path}/intermediate/Mul_sqrt1_2`, [pre, sqrtHalf]),
      ]);
      const gelu = g.op1('Mul', `${path}/intermediate/Mul_half`, [
        g.op1('Mul', `${path}/intermediate/Mul`, [pre, g.op1('Add', `${path}/intermediate/Add_one`, [erf, one])]),
        halfScalar,
      ]);
      const out = g.op1('Add', `${path}/output/Add_residual`, [
        this.linear(gelu, `${p}.output.dense`, `${path}/output/dense`),
        hidden,
      ]);
      hidden = this.layerNorm(out, `${p}.output.LayerNorm`, `${path}/output/LayerNorm`);
    }
    return hidden;
  }

  /** Names the classifier's output `logits`: float32, as convert_float_to_float16(keep_io_types=True) leaves it. */
  finish(logits: string, options: GraphOptions): BuiltGraph {
    const g = this.g;
    const float32Logits = this.half && !options.float16Logits;
    if (float32Logits) {
      // Compute in half precision, hand float32 logits out.
      g.named('Cast', '/classifier/Cast_logits', [logits], ['logits'], [intAttr('to', DataType.FLOAT)]);
    } else {
      g.named('Identity', '/classifier/Identity', [logits], ['logits']);
    }
    return {
      nodes: g.nodes,
      initializers: g.initializers,
      floatType: g.floatType,
      logitsType: float32Logits ? DataType.FLOAT : g.floatType,
      extraOpsets: this.dtype === 'q4' || this.dtype === 'q4f16' ? [{ domain: MS_DOMAIN, version: 1 }] : [],
    };
  }
}
