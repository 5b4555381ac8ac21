/**
 * The ONNX graph of `XLMRobertaForSequenceClassification`, as Hugging Face's exporters lay it out: plain MatMul /
 * Add / Softmax attention, LayerNormalization (opset 17), exact GELU through Erf, and the classifier head on `<s>`.
 * fp16 and q4f16 keep every float in half precision and cast the logits back to float32 (as
 * `convert_float_to_float16(keep_io_types=True)` does; `float16Logits` keeps them half); how each dtype writes its
 * weight MatMuls and embedding Gathers is in weight-ops.ts.
 */
import { DataType, type DataTypeCode, type NodeMsg, type TensorMsg } from './onnx-proto.ts';
import { floatAttr, GraphBuilder, intAttr, intsAttr, type InitializerSink } from './graph-builder.ts';
import { MS_DOMAIN, weightOps } from './weight-ops.ts';
import { LAYER_NORM_EPS, PAD_TOKEN_ID, type GeneratedDtype } from './presets.ts';
import { transpose2d, type WeightSource } from './weights.ts';

export { inlineSink, type InitializerSink } from './graph-builder.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

export interface BuiltGraph {
  nodes: NodeMsg[];
  initializers: TensorMsg[];
  floatType: DataTypeCode;
  /** The logits' element type: float32, or float16 for a half-precision graph with `float16Logits`. */
  logitsType: DataTypeCode;
  /** Operator sets beyond the default domain's (q4 adds com.microsoft 1, as MatMulNBitsQuantizer does). */
  extraOpsets: { domain: string; version: number }[];
}

export interface GraphOptions {
  /** fp16 / q4f16 only: leave the logits in float16 (no final Cast), as this generator's first fp16 files had them. */
  float16Logits?: boolean;
}

/** Whether a dtype computes in half precision. */
export const isHalfPrecision = (dtype: GeneratedDtype): boolean => dtype === 'fp16' || dtype === 'q4f16';

export function buildXlmrGraph(weights: WeightSource, dtype: GeneratedDtype, sink: InitializerSink,
  options: GraphOptions = {}): BuiltGraph {
  const d = weights.dims;
  const headDim = d.hidden / d.heads;
  if (!Number.isInteger(headDim)) throw new Error(`hidden ${d.hidden} is not divisible by ${d.heads} heads`);
  const half = isHalfPrecision(dtype);
  const g = new GraphBuilder(half ? DataType.FLOAT16 : DataType.FLOAT, sink);
  const ops = weightOps(g, dtype);

  /** x · Wᵀ + b for a Hugging Face linear layer `prefix` (weights stored [out, in]). */
  const linear = (x: string, prefix: string, path: string): string => {
    const spec = weights.spec(`${prefix}.weight`);
    const [out, inp] = spec.shape;
    const wT = transpose2d(weights.get(spec.name), out, inp);
    const y = ops.matMul(x, `${prefix}.weight.T`, wT, inp, out, path);
    return g.op1('Add', `${path}/Add`, [y, g.float(`${prefix}.bias`, [out], weights.get(`${prefix}.bias`))]);
  };

  const layerNorm = (x: string, prefix: string, path: string): string =>
    g.op1(
      'LayerNormalization',
      `${path}/LayerNormalization`,
      [x, g.float(`${prefix}.weight`, [d.hidden], weights.get(`${prefix}.weight`)),
        g.float(`${prefix}.bias`, [d.hidden], weights.get(`${prefix}.bias`))],
      [intAttr('axis', -1), floatAttr('epsilon', LAYER_NORM_EPS)],
    );

  // --- Embeddings: word + RoBERTa positions (cumsum of non-pad tokens, offset by padding_idx) + token type 0.
  const wordName = 'roberta.embeddings.word_embeddings.weight';
  const words = ops.gather(wordName, weights.get(wordName), [d.vocab, d.hidden], 'input_ids',
    '/roberta/embeddings/word_embeddings', true);

  const padId = g.int64('pad_token_id', [], [PAD_TOKEN_ID]);
  const isPad = g.op1('Equal', '/roberta/embeddings/Equal', ['input_ids', padId]);
  const notPad = g.op1('Not', '/roberta/embeddings/Not', [isPad]);
  const notPadInt = g.op1('Cast', '/roberta/embeddings/Cast', [notPad], [intAttr('to', DataType.INT64)]);
  const cumsum = g.op1('CumSum', '/roberta/embeddings/CumSum', [notPadInt, g.int64('axis_1', [], [1])]);
  const incremental = g.op1('Mul', '/roberta/embeddings/Mul', [cumsum, notPadInt]);
  const positionIds = g.op1('Add', '/roberta/embeddings/Add_positions', [incremental, padId]);
  const positions = ops.gather('roberta.embeddings.position_embeddings.weight',
    weights.get('roberta.embeddings.position_embeddings.weight'), [d.maxPositions, d.hidden], positionIds,
    '/roberta/embeddings/position_embeddings', false);
  // token_type_ids are all 0 for this model (type_vocab_size 1): add row 0 of the table. (index_0 is written after
  // the table only to keep the initializer order, and so the fp32 file, as it was.)
  const tokenType = ops.gather('roberta.embeddings.token_type_embeddings.weight',
    weights.get('roberta.embeddings.token_type_embeddings.weight'), [d.typeVocab, d.hidden], 'index_0',
    '/roberta/embeddings/token_type_embeddings', false);
  g.int64('index_0', [], [0]);
  const summed = g.op1('Add', '/roberta/embeddings/Add_1', [
    g.op1('Add', '/roberta/embeddings/Add', [words, tokenType]),
    positions,
  ]);
  let hidden = layerNorm(summed, 'roberta.embeddings.LayerNorm', '/roberta/embeddings/LayerNorm');

  // --- Additive attention mask [batch, 1, 1, sequence]: 0 where attended, a large finite negative where padded.
  // Finite, not -inf: 0 × -inf is NaN; fp16 uses -1e4 so that adding scores cannot overflow to -inf.
  const maskValue = half ? -1e4 : -3.4028234663852886e38;
  const maskF = g.op1('Cast', '/roberta/mask/Cast', ['attention_mask'], [intAttr('to', g.floatType)]);
  const one = g.scalar('one', 1);
  const inverted = g.op1('Sub', '/roberta/mask/Sub', [one, maskF]);
  const additive = g.op1('Mul', '/roberta/mask/Mul', [inverted, g.scalar('mask_value', maskValue)]);
  const mask = g.op1('Unsqueeze', '/roberta/mask/Unsqueeze', [additive, g.int64('axes_1_2', [2], [1, 2])]);

  const splitHeads = g.int64('split_heads_shape', [4], [0, 0, d.heads, headDim]);
  const mergeHeads = g.int64('merge_heads_shape', [3], [0, 0, d.hidden]);
  const scoreScale = g.scalar('attention_scale', 1 / Math.sqrt(headDim));
  const sqrtHalf = g.scalar('sqrt1_2', Math.SQRT1_2);
  const halfScalar = g.scalar('half', 0.5);

  for (let i = 0; i < d.layers; i++) {
    const p = `roberta.encoder.layer.${i}`;
    const path = `/roberta/encoder/layer.${i}`;
    const heads = (name: string, perm: number[]) =>
      g.op1('Transpose', `${path}/attention/self/${name}/Transpose`, [
        g.op1('Reshape', `${path}/attention/self/${name}/Reshape`, [
          linear(hidden, `${p}.attention.self.${name}`, `${path}/attention/self/${name}`),
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
      linear(context, `${p}.attention.output.dense`, `${path}/attention/output/dense`),
      hidden,
    ]);
    hidden = layerNorm(attended, `${p}.attention.output.LayerNorm`, `${path}/attention/output/LayerNorm`);

    // Exact GELU: 0.5 · x · (1 + erf(x / √2)).
    const pre = linear(hidden, `${p}.intermediate.dense`, `${path}/intermediate/dense`);
    const erf = g.op1('Erf', `${path}/intermediate/Erf`, [
      g.op1('Mul', `${path}/intermediate/Mul_sqrt1_2`, [pre, sqrtHalf]),
    ]);
    const gelu = g.op1('Mul', `${path}/intermediate/Mul_half`, [
      g.op1('Mul', `${path}/intermediate/Mul`, [pre, g.op1('Add', `${path}/intermediate/Add_one`, [erf, one])]),
      halfScalar,
    ]);
    const out = g.op1('Add', `${path}/output/Add_residual`, [
      linear(gelu, `${p}.output.dense`, `${path}/output/dense`),
      hidden,
    ]);
    hidden = layerNorm(out, `${p}.output.LayerNorm`, `${path}/output/LayerNorm`);
  }

  // --- Classifier head on <s>: dense + tanh, then out_proj to one logit.
  const first = g.op1('Gather', '/classifier/Gather', [hidden, 'index_0'], [intAttr('axis', 1)]);
  const pooled = g.op1('Tanh', '/classifier/Tanh', [linear(first, 'classifier.dense', '/classifier/dense')]);
  const logits = linear(pooled, 'classifier.out_proj', '/classifier/out_proj');
  const float32Logits = half && !options.float16Logits;
  if (float32Logits) {
    // As convert_float_to_float16(keep_io_types=True): compute in half precision, hand float32 logits out.
    g.named('Cast', '/classifier/Cast_logits', [logits], ['logits'], [intAttr('to', DataType.FLOAT)]);
  } else {
    g.named('Identity', '/classifier/Identity', [logits], ['logits']);
  }

  return {
    nodes: g.nodes,
    initializers: g.initializers,
    floatType: g.floatType,
    logitsType: float32Logits ? DataType.FLOAT : g.floatType,
    extraOpsets: dtype === 'q4' || dtype === 'q4f16' ? [{ domain: MS_DOMAIN, version: 1 }] : [],
  };
}
