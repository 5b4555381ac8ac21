/**
 * The independent oracle: a plain Float64 forward pass of Hugging Face's `XLMRobertaForSequenceClassification`,
 * written from `modeling_xlm_roberta.py`, never from an ONNX graph. It reads Hugging Face tensor names from
 * `model.safetensors` and the architecture from `config.json`; the encoder layers are shared with the BERT oracle
 * (encoder.ts).
 *
 * @example
 * const ref = ReferenceXlmr.fromDir('models/tiny');
 * ref.logits([[0, 40, 2, 2, 51, 2], [0, 7, 2, 2, 9, 1]], [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]]);
 * // [0.731..., -1.204...]  (one raw logit per row; apply a sigmoid for a relevance score)
 */
import {
  EncoderLayers, keptPositions, labelCount, layerNormRows, linearRows, mapRows, readModelDir, singleLogits, TensorReader,
  type EncoderConfig, type LayerNormWeights, type LinearWeights, type ReferenceTensor,
} from './encoder.ts';

export { erf, gelu, type ReferenceTensor } from './encoder.ts';
export type XlmrConfig = EncoderConfig;

const OWNER = 'ReferenceXlmr';

export class ReferenceXlmr {
  readonly config: XlmrConfig;
  /** The classifier's outputs: `len(id2label)`, 1 when config.json has none. */
  readonly labels: number;
  private readonly wordEmbeddings: Float64Array;
  private readonly positionEmbeddings: Float64Array;
  private readonly tokenTypeEmbeddings: Float64Array;
  private readonly embeddingLayerNorm: LayerNormWeights;
  private readonly encoder: EncoderLayers;
  private readonly classifierDense: LinearWeights;
  private readonly classifierOutProj: LinearWeights;

  /** Reads `dir/config.json` and `dir/model.safetensors`. */
  static fromDir(dir: string): ReferenceXlmr {
    const { config, tensors } = readModelDir(dir, OWNER);
    return new ReferenceXlmr(config, tensors);
  }

  constructor(config: XlmrConfig, tensors: Map<string, ReferenceTensor>) {
    const H = config.hidden_size;
    const reader = new TensorReader(tensors, OWNER);
    this.config = { ...config };
    this.labels = labelCount(config);
    this.wordEmbeddings = reader.get('roberta.embeddings.word_embeddings.weight', [config.vocab_size, H]);
    this.positionEmbeddings = reader.get('roberta.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
    this.tokenTypeEmbeddings = reader.get('roberta.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
    this.embeddingLayerNorm = reader.layerNorm('roberta.embeddings.LayerNorm', H);
    this.encoder = new EncoderLayers(config, reader, 'roberta');
    this.classifierDense = reader.linear('classifier.dense', H, H);
    this.classifierOutProj = reader.linear('classifier.out_proj', this.labels, H);
  }

  /** One raw logit per row (a one-label model), for right-padded batches whose rows may have different true lengths. */
  logits(inputIds: number[][], attentionMask: number[][]): number[] {
    return singleLogits(OWNER, this.labels, this.logitRows(inputIds, attentionMask));
  }

  /** Every label's logit for each row: [rows][labels]. */
  logitRows(inputIds: number[][], attentionMask: number[][]): number[][] {
    return mapRows(OWNER, inputIds, attentionMask, undefined, (ids, mask, _types, row) => this.rowLogits(ids, mask, row));
  }

  private rowLogits(ids: number[], mask: number[], row: number): Float64Array {
    const { hidden_size: H, pad_token_id: pad, vocab_size, max_position_embeddings } = this.config;

    // RoBERTa's create_position_ids_from_input_ids: derived from ids != pad over the whole row, not from the mask.
    const positions: number[] = [];
    let count = 0;
    for (const id of ids) {
      if (id !== pad) count++;
      positions.push(id !== pad ? count + pad : pad);
    }
    const kept = keptPositions(OWNER, mask, row);
    const n = kept.length;

    // Embeddings: word + position + token type 0, then LayerNorm.
    let x: Float64Array = new Float64Array(n * H);
    kept.forEach((i, t) => {
      const id = ids[i];
      const pos = positions[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocab_size) {
        throw new Error(`${OWNER}: row ${row} token ${i} id ${id} outside vocabulary [0, ${vocab_size})`);
      }
      if (pos >= max_position_embeddings) {
        throw new Error(`${OWNER}: row ${row} position id ${pos} >= max_position_embeddings ${max_position_embeddings}`);
      }
      for (let c = 0; c < H; c++) {
        x[t * H + c] =
          this.wordEmbeddings[id * H + c] + this.positionEmbeddings[pos * H + c] + this.tokenTypeEmbeddings[c];
      }
    });
    x = layerNormRows(x, n, H, this.embeddingLayerNorm, this.config.layer_norm_eps);
    x = this.encoder.run(x, n);

    // Classification head on token 0 (`<s>`); dropout is identity at inference.
    const cls = x.subarray(0, H);
    const dense = linearRows(cls, 1, this.classifierDense).map(Math.tanh);
    return linearRows(dense, 1, this.classifierOutProj);
  }
}
