/**
 * The independent oracle for BERT cross-encoders (ms-marco-MiniLM): a plain Float64 forward pass of Hugging Face's
 * `BertForSequenceClassification`, written from `modeling_bert.py`, never from an ONNX graph. Word + position
 * (0 … S-1, no offset) + token-type embeddings, LayerNorm, the encoder layers (shared with the XLM-R oracle,
 * encoder.ts), the pooler (dense + tanh on `[CLS]`) and `classifier`. It reads `model.safetensors` and `config.json`.
 *
 * @example
 * const ref = ReferenceBert.fromDir('public/models/tiny-random-bert-reranker');
 * ref.logits([[101, 40, 102, 51, 102]], [[1, 1, 1, 1, 1]], [[0, 0, 0, 1, 1]]);
 * // [0.512...]  (one raw logit per row; apply a sigmoid for a relevance score)
 */
import {
  EncoderLayers, keptPositions, labelCount, layerNormRows, linearRows, mapRows, readModelDir, singleLogits, TensorReader,
  type EncoderConfig, type LayerNormWeights, type LinearWeights, type ReferenceTensor,
} from './encoder.ts';

export type BertConfig = EncoderConfig;

const OWNER = 'ReferenceBert';

export class ReferenceBert {
  readonly config: BertConfig;
  /** The classifier's outputs: `len(id2label)`, 1 when config.json has none. */
  readonly labels: number;
  private readonly wordEmbeddings: Float64Array;
  private readonly positionEmbeddings: Float64Array;
  private readonly tokenTypeEmbeddings: Float64Array;
  private readonly embeddingLayerNorm: LayerNormWeights;
  private readonly encoder: EncoderLayers;
  private readonly pooler: LinearWeights;
  private readonly classifier: LinearWeights;

  /** Reads `dir/config.json` and `dir/model.safetensors`. */
  static fromDir(dir: string): ReferenceBert {
    const { config, tensors } = readModelDir(dir, OWNER);
    return new ReferenceBert(config, tensors);
  }

  constructor(config: BertConfig, tensors: Map<string, ReferenceTensor>) {
    const H = config.hidden_size;
    const reader = new TensorReader(tensors, OWNER);
    this.config = { ...config };
    this.labels = labelCount(config);
    this.wordEmbeddings = reader.get('bert.embeddings.word_embeddings.weight', [config.vocab_size, H]);
    this.positionEmbeddings = reader.get('bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, H]);
    this.tokenTypeEmbeddings = reader.get('bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
    this.embeddingLayerNorm = reader.layerNorm('bert.embeddings.LayerNorm', H);
    this.encoder = new EncoderLayers(config, reader, 'bert');
    this.pooler = reader.linear('bert.pooler.dense', H, H);
    this.classifier = reader.linear('classifier', this.labels, H);
  }

  /**
   * One raw logit per row (a one-label model), for right-padded batches whose rows may have different true lengths.
   * Token types default to 0 everywhere, as in Hugging Face; a pair `[CLS] A [SEP] B [SEP]` needs 1 over `B [SEP]`.
   */
  logits(inputIds: number[][], attentionMask: number[][], tokenTypeIds?: number[][]): number[] {
    return singleLogits(OWNER, this.labels, this.logitRows(inputIds, attentionMask, tokenTypeIds));
  }

  /** Every label's logit for each row: [rows][labels]. */
  logitRows(inputIds: number[][], attentionMask: number[][], tokenTypeIds?: number[][]): number[][] {
    return mapRows(OWNER, inputIds, attentionMask, tokenTypeIds, (ids, mask, types, row) => this.rowLogits(ids, mask, types, row));
  }

  private rowLogits(ids: number[], mask: number[], types: number[], row: number): Float64Array {
    const { hidden_size: H, vocab_size, max_position_embeddings, type_vocab_size } = this.config;
    if (ids.length > max_position_embeddings) {
      throw new Error(`${OWNER}: row ${row} has ${ids.length} tokens > max_position_embeddings ${max_position_embeddings}`);
    }
    const kept = keptPositions(OWNER, mask, row);
    const n = kept.length;

    // Embeddings: word + token type + position (the index in the row, padding or not), then LayerNorm.
    let x: Float64Array = new Float64Array(n * H);
    kept.forEach((i, t) => {
      const id = ids[i];
      const type = types[i];
      if (!Number.isInteger(id) || id < 0 || id >= vocab_size) {
        throw new Error(`${OWNER}: row ${row} token ${i} id ${id} outside vocabulary [0, ${vocab_size})`);
      }
      if (!Number.isInteger(type) || type < 0 || type >= type_vocab_size) {
        throw new Error(`${OWNER}: row ${row} token ${i} type ${type} outside [0, ${type_vocab_size})`);
      }
      for (let c = 0; c < H; c++) {
        x[t * H + c] = this.wordEmbeddings[id * H + c] + this.tokenTypeEmbeddings[type * H + c] +
          this.positionEmbeddings[i * H + c];
      }
    });
    x = layerNormRows(x, n, H, this.embeddingLayerNorm, this.config.layer_norm_eps);
    x = this.encoder.run(x, n);

    // BertPooler on token 0 (`[CLS]`), then the classifier; dropout is identity at inference.
    const pooled = linearRows(x.subarray(0, H), 1, this.pooler).map(Math.tanh);
    return linearRows(pooled, 1, this.classifier);
  }
}
