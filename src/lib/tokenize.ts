/**
 * The tokenizer side of the core: builds transformers.js' tokenizer from the model's own files (whatever the source),
 * checks that it fits the model, and encodes pairs the way the reference does.
 */
import { PreTrainedTokenizer, XLMRobertaTokenizer } from '@huggingface/transformers';
import { ModelLoadError } from './errors.ts';
import { buildPairIds, type PairIds, type SpecialTokenIds } from './pairs.ts';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  modelConfig: Record<string, unknown>;
}

/** Largest id the tokenizer can emit, from its vocabulary and added tokens. */
function maxTokenId(tokenizerJson: Record<string, unknown>): number {
  const model = tokenizerJson.model as { vocab?: unknown } | undefined;
  let max = -1;
  if (Array.isArray(model?.vocab)) max = model.vocab.length - 1;
  else if (model?.vocab && typeof model.vocab === 'object') {
    for (const id of Object.values(model.vocab as Record<string, number>)) max = Math.max(max, id);
  }
  for (const t of (tokenizerJson.added_tokens as { id: number }[] | undefined) ?? []) max = Math.max(max, t.id);
  return max;
}

export class PairEncoder {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    readonly special: SpecialTokenIds,
    readonly maxTokenId: number,
  ) {}

  static fromFiles({ tokenizerJson, tokenizerConfig, modelConfig }: TokenizerFiles): PairEncoder {
    if (!tokenizerJson.model || typeof tokenizerJson.model !== 'object') {
      throw new ModelLoadError('tokenizer.json has no "model" section: not a Hugging Face tokenizer file');
    }
    let tokenizer: PreTrainedTokenizer;
    try {
      tokenizer = tokenizerConfig.tokenizer_class === 'XLMRobertaTokenizer'
        ? new XLMRobertaTokenizer(tokenizerJson, tokenizerConfig)
        : new PreTrainedTokenizer(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new ModelLoadError(`tokenizer.json could not be read: ${(error as Error).message}`, { cause: error });
    }
    const t = tokenizer as unknown as Record<string, number | undefined>;
    const bos = t.cls_token_id ?? t.bos_token_id;
    const eos = t.sep_token_id ?? t.eos_token_id;
    const pad = t.pad_token_id;
    if (bos === undefined || eos === undefined || pad === undefined) {
      throw new ModelLoadError('the tokenizer lacks <s>, </s> or <pad> (check tokenizer_config.json)');
    }
    const modelPad = modelConfig.pad_token_id;
    if (typeof modelPad === 'number' && modelPad !== pad) {
      // RoBERTa position ids count non-pad tokens: a different pad id shifts every position.
      throw new ModelLoadError(`the tokenizer pads with id ${pad} but the model's pad_token_id is ${modelPad}`);
    }
    const maxId = maxTokenId(tokenizerJson);
    const vocabSize = modelConfig.vocab_size;
    if (typeof vocabSize === 'number' && maxId >= vocabSize) {
      throw new ModelLoadError(`the tokenizer has ${maxId + 1} tokens but the model's vocabulary has ${vocabSize}: ` +
        'they belong to different models');
    }
    return new PairEncoder(tokenizer, { bos, eos, pad }, maxId);
  }

  /** Token ids of a text without special tokens. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  pairFromIds(queryIds: readonly number[], documentIds: readonly number[], maxLength: number): PairIds {
    return buildPairIds(queryIds, documentIds, maxLength, this.special);
  }
}
