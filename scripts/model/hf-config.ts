/** config.json of a generated model, as Hugging Face's `save_pretrained` writes it for each architecture. */
import { ARCH_CONSTANTS, LAYER_NORM_EPS, PAD_TOKEN_ID, type PresetName } from './presets.ts';
import type { ResolvedDims } from './weights.ts';

export const GENERATOR_VERSION = '1';

/** `{0: 'LABEL_0', 1: 'LABEL_1'}` and its inverse, for the classifier's outputs. */
function labelMaps(labels: number): { id2label: Record<number, string>; label2id: Record<string, number> } {
  const names = Array.from({ length: labels }, (_, i) => `LABEL_${i}`);
  return {
    id2label: Object.fromEntries(names.map((name, i) => [i, name])),
    label2id: Object.fromEntries(names.map((name, i) => [name, i])),
  };
}

export function hfConfig(dims: ResolvedDims, preset: PresetName, seed: number, externalFiles: string[] = []): Record<string, unknown> {
  const { id2label, label2id } = labelMaps(dims.labels);
  const shared = {
    // As onnx-community writes it: tells loaders (transformers.js, ours) to fetch `<file>_data` beside the graph.
    ...(externalFiles.length > 0
      ? { 'transformers.js_config': { use_external_data_format: Object.fromEntries(externalFiles.map((f) => [f, true])) } }
      : {}),
    // Marks the weights as generated (random), so an app can say so instead of presenting scores as meaningful.
    generated_by: { generator: 'bge-reranker-web make-model', version: GENERATOR_VERSION, preset, seed },
  };
  if (dims.arch === 'bert') {
    const bert = ARCH_CONSTANTS.bert;
    return {
      architectures: [bert.className],
      attention_probs_dropout_prob: 0.1,
      classifier_dropout: null,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      hidden_size: dims.hidden,
      id2label,
      initializer_range: 0.02,
      intermediate_size: dims.intermediate,
      label2id,
      layer_norm_eps: bert.layerNormEps,
      max_position_embeddings: dims.maxPositions,
      model_type: bert.modelType,
      num_attention_heads: dims.heads,
      num_hidden_layers: dims.layers,
      pad_token_id: bert.padTokenId,
      position_embedding_type: 'absolute',
      torch_dtype: 'float32',
      type_vocab_size: dims.typeVocab,
      use_cache: true,
      vocab_size: dims.vocab,
      ...shared,
    };
  }
  return {
    architectures: [ARCH_CONSTANTS.xlmr.className],
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    classifier_dropout: null,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: dims.hidden,
    id2label,
    initializer_range: 0.02,
    intermediate_size: dims.intermediate,
    label2id,
    layer_norm_eps: LAYER_NORM_EPS,
    max_position_embeddings: dims.maxPositions,
    model_type: ARCH_CONSTANTS.xlmr.modelType,
    num_attention_heads: dims.heads,
    num_hidden_layers: dims.layers,
    output_past: true,
    pad_token_id: PAD_TOKEN_ID,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    type_vocab_size: dims.typeVocab,
    use_cache: true,
    vocab_size: dims.vocab,
    ...shared,
  };
}
