/**
 * The ONNX graph of `BertForSequenceClassification`, laid out as Hugging Face's exporter (optimum) writes
 * cross-encoder/ms-marco-MiniLM-L-6-v2: inputs `input_ids`, `attention_mask` and `token_type_ids`; position ids
 * 0 … S-1 sliced from the `position_ids` buffer (no RoBERTa offset); word + token type + position embeddings; the
 * encoder layers XLM-R has too (encoder-graph.ts); the pooler (dense + tanh on token 0), then `classifier`.
 */
import { intAttr, type InitializerSink } from './graph-builder.ts';
import { EncoderGraph, type BuiltGraph, type GraphOptions } from './encoder-graph.ts';
import { ARCH_CONSTANTS, type GeneratedDtype } from './presets.ts';
import type { ModelWeights } from './weights.ts';

export function buildBertGraph(weights: ModelWeights, dtype: GeneratedDtype, sink: InitializerSink,
  options: GraphOptions = {}): BuiltGraph {
  const graph = new EncoderGraph(weights, dtype, sink, ARCH_CONSTANTS.bert.layerNormEps, options);
  const g = graph.g;
  const d = weights.dims;

  const words = graph.gather('bert.embeddings.word_embeddings.weight', 'input_ids',
    '/bert/embeddings/word_embeddings', true);
  const tokenTypes = graph.gather('bert.embeddings.token_type_embeddings.weight', 'token_type_ids',
    '/bert/embeddings/token_type_embeddings');
  // BertEmbeddings registers position_ids = arange(max_positions)[None] and slices it to the sequence length.
  const positionIdsBuffer = graph.int64('bert.embeddings.position_ids', [1, d.maxPositions],
    Array.from({ length: d.maxPositions }, (_, i) => i));
  const sequenceLength = g.op1('Shape', '/bert/embeddings/Shape', ['input_ids'], [intAttr('start', 1), intAttr('end', 2)]);
  const positionIds = g.op1('Slice', '/bert/embeddings/Slice', [positionIdsBuffer, graph.int64('zero_1d', [1], [0]),
    sequenceLength, graph.int64('axis_1_1d', [1], [1])]);
  const positions = graph.gather('bert.embeddings.position_embeddings.weight', positionIds,
    '/bert/embeddings/position_embeddings');
  const summed = g.op1('Add', '/bert/embeddings/Add_1', [
    g.op1('Add', '/bert/embeddings/Add', [words, tokenTypes]),
    positions,
  ]);
  const embedded = graph.layerNorm(summed, 'bert.embeddings.LayerNorm', '/bert/embeddings/LayerNorm');

  const mask = graph.attentionMask('/bert/mask');
  const hidden = graph.encoderLayers(embedded, mask, 'bert');

  // --- Pooler on [CLS]: dense + tanh; then the classifier to the logits.
  const first = g.op1('Gather', '/bert/pooler/Gather', [hidden, graph.int64('index_0', [], [0])], [intAttr('axis', 1)]);
  const pooled = g.op1('Tanh', '/bert/pooler/activation/Tanh', [graph.linear(first, 'bert.pooler.dense', '/bert/pooler/dense')]);
  return graph.finish(graph.linear(pooled, 'classifier', '/classifier'), options);
}
