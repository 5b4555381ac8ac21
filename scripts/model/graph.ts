/**
 * The ONNX graph of `XLMRobertaForSequenceClassification`, as Hugging Face's exporters lay it out: RoBERTa's position
 * ids, the shared encoder layers (encoder-graph.ts), and the classifier head on `<s>`. fp16 and q4f16 keep every float
 * in half precision and cast the logits back to float32 (as `convert_float_to_float16(keep_io_types=True)` does;
 * `float16Logits` keeps them half); how each dtype writes its weight MatMuls and embedding Gathers is in weight-ops.ts.
 */
import { DataType } from './onnx-proto.ts';
import { intAttr, type InitializerSink } from './graph-builder.ts';
import { EncoderGraph, type BuiltGraph, type GraphOptions } from './encoder-graph.ts';
import { LAYER_NORM_EPS, PAD_TOKEN_ID, type GeneratedDtype } from './presets.ts';
import type { ModelWeights } from './weights.ts';

export { inlineSink, type InitializerSink } from './graph-builder.ts';
export { isHalfPrecision, type BuiltGraph, type GraphOptions } from './encoder-graph.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

export function buildXlmrGraph(weights: ModelWeights, dtype: GeneratedDtype, sink: InitializerSink,
  options: GraphOptions = {}): BuiltGraph {
  const graph = new EncoderGraph(weights, dtype, sink, LAYER_NORM_EPS, options);
  const g = graph.g;

  // --- Embeddings: word + RoBERTa positions (cumsum of non-pad tokens, offset by padding_idx) + token type 0.
  const words = graph.gather('roberta.embeddings.word_embeddings.weight', 'input_ids',
    '/roberta/embeddings/word_embeddings', true);

  const padId = g.int64('pad_token_id', [], [PAD_TOKEN_ID]);
  const isPad = g.op1('Equal', '/roberta/embeddings/Equal', ['input_ids', padId]);
  const notPad = g.op1('Not', '/roberta/embeddings/Not', [isPad]);
  const notPadInt = g.op1('Cast', '/roberta/embeddings/Cast', [notPad], [intAttr('to', DataType.INT64)]);
  const cumsum = g.op1('CumSum', '/roberta/embeddings/CumSum', [notPadInt, g.int64('axis_1', [], [1])]);
  const incremental = g.op1('Mul', '/roberta/embeddings/Mul', [cumsum, notPadInt]);
  const positionIds = g.op1('Add', '/roberta/embeddings/Add_positions', [incremental, padId]);
  const positions = graph.gather('roberta.embeddings.position_embeddings.weight', positionIds,
    '/roberta/embeddings/position_embeddings');
  // token_type_ids are all 0 for this model (type_vocab_size 1): add row 0 of the table. (index_0 is written after
  // the table only to keep the initializer order, and so the fp32 file, as it was.)
  const tokenType = graph.gather('roberta.embeddings.token_type_embeddings.weight', 'index_0',
    '/roberta/embeddings/token_type_embeddings');
  const index0 = graph.int64('index_0', [], [0]);
  const summed = g.op1('Add', '/roberta/embeddings/Add_1', [
    g.op1('Add', '/roberta/embeddings/Add', [words, tokenType]),
    positions,
  ]);
  const embedded = graph.layerNorm(summed, 'roberta.embeddings.LayerNorm', '/roberta/embeddings/LayerNorm');

  const mask = graph.attentionMask('/roberta/mask');
  const hidden = graph.encoderLayers(embedded, mask, 'roberta');

  // --- Classifier head on <s>: dense + tanh, then out_proj to the logits.
  const first = g.op1('Gather', '/classifier/Gather', [hidden, index0], [intAttr('axis', 1)]);
  const pooled = g.op1('Tanh', '/classifier/Tanh', [graph.linear(first, 'classifier.dense', '/classifier/dense')]);
  return graph.finish(graph.linear(pooled, 'classifier.out_proj', '/classifier/out_proj'), options);
}
