/**
 * The ONNX graph of `XLMRobertaForSequenceClassification`, as Hugging Face's exporters lay it out: plain MatMul /
 * Add / Softmax attention, LayerNormalization (opset 17), exact GELU through Erf, and the classifier head on `<s>`.
 * `fp16` keeps every float in half precision (logits included); `q8` replaces each weight MatMul with
 * DynamicQuantizeLinear + MatMulInteger and dequantises the int8 word-embedding table after its Gather, as
 * onnxruntime's dynamic quantisation emits them.
 */
import { AttributeType, DataType, type AttributeMsg, type DataTypeCode, type NodeMsg, type TensorMsg } from './onnx-proto.ts';
import { toFloat16Bits } from './float16.ts';
import { quantizeAsymmetricUint8, quantizeSymmetricInt8 } from './quantize.ts';
import { LAYER_NORM_EPS, PAD_TOKEN_ID, type GeneratedDtype } from './presets.ts';
import { transpose2d, type WeightSource } from './weights.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

/** Where an initializer's bytes go: inline (rawData), or appended to an external data file. */
export interface InitializerSink {
  /** Returns the external-data entries for bytes written out of line, or undefined to keep them inline. */
  place(name: string, bytes: Uint8Array): { key: string; value: string }[] | undefined;
}

export const inlineSink: InitializerSink = { place: () => undefined };

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    readonly floatType: DataTypeCode,
    private readonly sink: InitializerSink,
  ) {}

  initializer(name: string, dims: number[], dataType: DataTypeCode, data: ArrayBufferView): string {
    const bytes = bytesOf(data);
    const external = this.sink.place(name, bytes);
    this.initializers.push(
      external
        ? { name, dims, dataType, externalData: external, dataLocation: 1 }
        : { name, dims, dataType, rawData: bytes },
    );
    return name;
  }

  /** A float tensor in the graph's float type. */
  float(name: string, dims: number[], data: Float32Array): string {
    return this.floatType === DataType.FLOAT16
      ? this.initializer(name, dims, DataType.FLOAT16, toFloat16Bits(data))
      : this.initializer(name, dims, DataType.FLOAT, data);
  }

  scalar(name: string, value: number): string {
    return this.float(name, [], Float32Array.of(value));
  }

  int64(name: string, dims: number[], values: number[]): string {
    return this.initializer(name, dims, DataType.INT64, BigInt64Array.from(values.map(BigInt)));
  }

  /** Adds a node; outputs are named after the node, like the PyTorch exporter's `/path/Op_output_0`. */
  op(opType: string, name: string, inputs: string[], attribute: AttributeMsg[] = [], outputCount = 1): string[] {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    const nodeName = n === 1 ? name : `${name}_${n}`;
    const output = Array.from({ length: outputCount }, (_, i) => `${nodeName}_output_${i}`);
    this.nodes.push({ name: nodeName, opType, input: inputs, output, attribute });
    return output;
  }

  op1(opType: string, name: string, inputs: string[], attribute: AttributeMsg[] = []): string {
    return this.op(opType, name, inputs, attribute)[0];
  }
}

const intAttr = (name: string, i: number): AttributeMsg => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): AttributeMsg => ({ name, type: AttributeType.INTS, ints });
const floatAttr = (name: string, f: number): AttributeMsg => ({ name, type: AttributeType.FLOAT, f });

export interface BuiltGraph {
  nodes: NodeMsg[];
  initializers: TensorMsg[];
  floatType: DataTypeCode;
}

export function buildXlmrGraph(weights: WeightSource, dtype: GeneratedDtype, sink: InitializerSink): BuiltGraph {
  const d = weights.dims;
  const headDim = d.hidden / d.heads;
  if (!Number.isInteger(headDim)) throw new Error(`hidden ${d.hidden} is not divisible by ${d.heads} heads`);
  const g = new GraphBuilder(dtype === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT, sink);
  const quantized = dtype === 'q8';

  /** x · Wᵀ + b for a Hugging Face linear layer `prefix` (weights stored [out, in]). */
  const linear = (x: string, prefix: string, path: string): string => {
    const spec = weights.spec(`${prefix}.weight`);
    const [out, inp] = spec.shape;
    const wT = transpose2d(weights.get(spec.name), out, inp);
    let y: string;
    if (quantized) {
      const q = quantizeSymmetricInt8(wT);
      const wq = g.initializer(`${prefix}.weight_quantized`, [inp, out], DataType.INT8, q.data);
      const ws = g.initializer(`${prefix}.weight_scale`, [], DataType.FLOAT, Float32Array.of(q.scale));
      const wzp = g.initializer(`${prefix}.weight_zero_point`, [], DataType.INT8, Int8Array.of(0));
      const [xq, xs, xzp] = g.op('DynamicQuantizeLinear', `${path}/MatMul_quant`, [x], [], 3);
      const acc = g.op1('MatMulInteger', `${path}/MatMul_quant_integer`, [xq, wq, xzp, wzp]);
      const accF = g.op1('Cast', `${path}/MatMul_quant_cast`, [acc], [intAttr('to', DataType.FLOAT)]);
      const scale = g.op1('Mul', `${path}/MatMul_quant_scales_mul`, [xs, ws]);
      y = g.op1('Mul', `${path}/MatMul_quant_output`, [accF, scale]);
    } else {
      y = g.op1('MatMul', `${path}/MatMul`, [x, g.float(`${prefix}.weight.T`, [inp, out], wT)]);
    }
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
  let words: string;
  if (quantized) {
    const q = quantizeAsymmetricUint8(weights.get(wordName));
    const table = g.initializer(`${wordName}_quantized`, [d.vocab, d.hidden], DataType.UINT8, q.data);
    const gathered = g.op1('Gather', '/roberta/embeddings/word_embeddings/Gather_quant', [table, 'input_ids']);
    words = g.op1('DequantizeLinear', '/roberta/embeddings/word_embeddings/DequantizeLinear', [
      gathered,
      g.initializer(`${wordName}_scale`, [], DataType.FLOAT, Float32Array.of(q.scale)),
      g.initializer(`${wordName}_zero_point`, [], DataType.UINT8, Uint8Array.of(q.zeroPoint)),
    ]);
  } else {
    const table = g.float(wordName, [d.vocab, d.hidden], weights.get(wordName));
    words = g.op1('Gather', '/roberta/embeddings/word_embeddings/Gather', [table, 'input_ids']);
  }

  const padId = g.int64('pad_token_id', [], [PAD_TOKEN_ID]);
  const isPad = g.op1('Equal', '/roberta/embeddings/Equal', ['input_ids', padId]);
  const notPad = g.op1('Not', '/roberta/embeddings/Not', [isPad]);
  const notPadInt = g.op1('Cast', '/roberta/embeddings/Cast', [notPad], [intAttr('to', DataType.INT64)]);
  const cumsum = g.op1('CumSum', '/roberta/embeddings/CumSum', [notPadInt, g.int64('axis_1', [], [1])]);
  const incremental = g.op1('Mul', '/roberta/embeddings/Mul', [cumsum, notPadInt]);
  const positionIds = g.op1('Add', '/roberta/embeddings/Add_positions', [incremental, padId]);
  const positions = g.op1('Gather', '/roberta/embeddings/position_embeddings/Gather', [
    g.float('roberta.embeddings.position_embeddings.weight', [d.maxPositions, d.hidden],
      weights.get('roberta.embeddings.position_embeddings.weight')),
    positionIds,
  ]);
  // token_type_ids are all 0 for this model (type_vocab_size 1): add row 0 of the table.
  const tokenType = g.op1('Gather', '/roberta/embeddings/token_type_embeddings/Gather', [
    g.float('roberta.embeddings.token_type_embeddings.weight', [d.typeVocab, d.hidden],
      weights.get('roberta.embeddings.token_type_embeddings.weight')),
    g.int64('index_0', [], [0]),
  ]);
  const summed = g.op1('Add', '/roberta/embeddings/Add_1', [
    g.op1('Add', '/roberta/embeddings/Add', [words, tokenType]),
    positions,
  ]);
  let hidden = layerNorm(summed, 'roberta.embeddings.LayerNorm', '/roberta/embeddings/LayerNorm');

  // --- Additive attention mask [batch, 1, 1, sequence]: 0 where attended, a large finite negative where padded.
  // Finite, not -inf: 0 × -inf is NaN; fp16 uses -1e4 so that adding scores cannot overflow to -inf.
  const maskValue = dtype === 'fp16' ? -1e4 : -3.4028234663852886e38;
  const maskF = g.op1('Cast', '/roberta/mask/Cast', ['attention_mask'], [intAttr('to', g.floatType)]);
  const one = g.scalar('one', 1);
  const inverted = g.op1('Sub', '/roberta/mask/Sub', [one, maskF]);
  const additive = g.op1('Mul', '/roberta/mask/Mul', [inverted, g.scalar('mask_value', maskValue)]);
  const mask = g.op1('Unsqueeze', '/roberta/mask/Unsqueeze', [additive, g.int64('axes_1_2', [2], [1, 2])]);

  const splitHeads = g.int64('split_heads_shape', [4], [0, 0, d.heads, headDim]);
  const mergeHeads = g.int64('merge_heads_shape', [3], [0, 0, d.hidden]);
  const scoreScale = g.scalar('attention_scale', 1 / Math.sqrt(headDim));
  const sqrtHalf = g.scalar('sqrt1_2', Math.SQRT1_2);
  const half = g.scalar('half', 0.5);

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
      half,
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
  g.nodes.push({ name: '/classifier/Identity', opType: 'Identity', input: [logits], output: ['logits'], attribute: [] });

  return { nodes: g.nodes, initializers: g.initializers, floatType: g.floatType };
}
