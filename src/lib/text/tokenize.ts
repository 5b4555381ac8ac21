/**
 * The tokenizer side of the core: builds transformers.js' tokenizer from the model's own files (whatever the source),
 * checks that it fits the model, and encodes pairs the way the reference does.
 *
 * Long texts are tokenized in pieces. transformers.js cannot take one: its Metaspace pre-tokenizer ignores `split`, so a
 * whole text reaches the Unigram model as one word, whose ids are appended with `push(...ids)`, one call argument per
 * token, and overflow the stack past ~120k tokens (`Unigram.encode` in @huggingface/transformers 4.3.1, dist line
 * 2082); its lattice also holds a few objects per character. Pieces are cut where the ids provably do not change (see
 * {@link exactCutSpaces}), and only as far as the caller needs them.
 */
import { PreTrainedTokenizer, XLMRobertaTokenizer } from '@huggingface/transformers';
import { ModelLoadError } from '../errors.ts';
import type { ModelConfig } from '../files/model-config.ts';
import { buildPairIds, documentRoom, maxQueryTokens, pairTemplateOf, type PairIds, type PairTemplate } from './pairs.ts';
import { codePointBoundary, CUT_SPACES, exactCutSpaces, isStableCodePoint, looseForm } from './exact-cuts.ts';

export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  modelConfig: ModelConfig;
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

/**
 * The template of a tokenizer.json without a post-processor, from its class: BERT's or RoBERTa's, around the cls and
 * sep tokens of tokenizer_config.json; null for other classes (the load then fails with the reason).
 */
function fallbackTemplate(config: Record<string, unknown>, cls: number | undefined, sep: number | undefined): PairTemplate | null {
  if (cls === undefined || sep === undefined) return null;
  const className = String(config.tokenizer_class ?? '');
  if (/^(XLMRoberta|Roberta|Camembert)Tokenizer/.test(className)) {
    return pairTemplateOf({ type: 'RobertaProcessing', cls: ['', cls], sep: ['', sep] }, null);
  }
  if (/^(Bert|DistilBert|Electra)Tokenizer/.test(className)) {
    return pairTemplateOf({ type: 'BertProcessing', cls: ['', cls], sep: ['', sep] }, null);
  }
  return null;
}

/** The CJK ideograph blocks past U+FFFF that BERT's `_is_chinese_char` lists (extensions B–F, compatibility supplement). */
const ASTRAL_CJK = /[\u{20000}-\u{2A6DF}\u{2A700}-\u{2CEAF}\u{2F800}-\u{2FA1F}]/gu;

/**
 * Whether the tokenizer's BertNormalizer puts spaces around CJK ideographs (`handle_chinese_chars`). transformers.js'
 * BertNormalizer (4.3.1) tests one UTF-16 unit at a time, so ideographs past U+FFFF stay joined to their neighbours
 * (`Ωμέγα𠀀`: one `[UNK]` where Rust's tokenizers gives two); the encoder spaces those itself, which gives Rust's ids.
 */
function spacesAstralCjk(tokenizerJson: Record<string, unknown>): boolean {
  const normalizer = tokenizerJson.normalizer as { type?: unknown; handle_chinese_chars?: unknown } | null | undefined;
  return normalizer?.type === 'BertNormalizer' && normalizer.handle_chinese_chars !== false;
}

/** Characters per piece of a long text: the library's cost per character grows on pieces past a few thousand. */
const PIECE_CHARS = 2048;
/** A piece grows this far looking for a cut; past it, it is cut anyway (see {@link PairEncoder.encode}). */
const MAX_PIECE_CHARS = 32_768;
/** Characters a token rarely exceeds (XLM-R averages ~4 on English): sizes the first piece of a truncated text. */
const CHARS_PER_TOKEN = 4;

export class PairEncoder {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    /** How a query and a document are joined, from the tokenizer's post-processor. */
    readonly template: PairTemplate,
    readonly padId: number,
    readonly maxTokenId: number,
    /** {@link exactCutSpaces}: the whitespace a cut may come before ('' for none). */
    readonly cutSpaces: string,
    /** {@link looseForm}s of the added tokens. */
    private readonly addedForms: readonly string[],
    /** See {@link spacesAstralCjk}. */
    private readonly spaceAstralCjk: boolean,
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
    const pad = t.pad_token_id;
    if (pad === undefined) throw new ModelLoadError('the tokenizer has no padding token (check tokenizer_config.json)');
    const template = pairTemplateOf(tokenizerJson.post_processor as Record<string, unknown> | null,
      fallbackTemplate(tokenizerConfig, t.cls_token_id ?? t.bos_token_id, t.sep_token_id ?? t.eos_token_id));
    const modelPad = modelConfig.padTokenId;
    if (modelPad !== undefined && modelPad !== pad) {
      // RoBERTa position ids count non-pad tokens: a different pad id shifts every position.
      throw new ModelLoadError(`the tokenizer pads with id ${pad} but the model's pad_token_id is ${modelPad}`);
    }
    const maxId = maxTokenId(tokenizerJson);
    const vocabSize = modelConfig.vocabSize;
    if (vocabSize !== undefined && maxId >= vocabSize) {
      throw new ModelLoadError(`the tokenizer has ${maxId + 1} tokens but the model's vocabulary has ${vocabSize}: ` +
        'they belong to different models');
    }
    const added = (tokenizerJson.added_tokens as { content?: unknown }[] | undefined) ?? [];
    const addedForms = added.map((t) => looseForm(String(t.content))).filter((f) => f.length > 0);
    return new PairEncoder(tokenizer, template, pad, maxId, exactCutSpaces(tokenizerJson, tokenizerConfig), addedForms,
      spacesAstralCjk(tokenizerJson));
  }

  /**
   * Token ids of a text without special tokens: its first `maxTokens` ids, or all of them. A long text is tokenized in
   * pieces cut at {@link isCut}, only as far as `maxTokens` needs, so the ids equal those of the whole text. A piece
   * finds no cut in {@link MAX_PIECE_CHARS} characters only in a text without spaces (a 32k-character word): it is cut
   * there anyway, and a few ids around that cut may differ from the whole text's, which transformers.js could not
   * tokenize (at one token a character, it overflows the stack). A tokenizer without exact cuts (not XLM-R's layout)
   * gets the whole text in one call, as transformers.js tokenizes it.
   *
   * @example
   * // With the demo model's tokenizer:
   * encoder.encode('The giant panda is a bear species.')     // → [37, 286, 20, 1404, 277, 1496, 25, 10, 888, 14, 893, 1310, 39, 6]
   * encoder.encode('The giant panda is a bear species.', 3)  // → [37, 286, 20]
   */
  encode(text: string, maxTokens = Infinity): number[] {
    if (text.length <= PIECE_CHARS || this.cutSpaces === '') return this.encodePiece(text, maxTokens);
    const out: number[] = [];
    let start = 0;
    // The first piece is sized for maxTokens; when it falls short, pieces of PIECE_CHARS follow.
    let size = Math.min(PIECE_CHARS, Math.max(256, Math.ceil(maxTokens * CHARS_PER_TOKEN)));
    while (start < text.length && out.length < maxTokens) {
      const end = this.pieceEnd(text, start, size);
      for (const id of this.encodePiece(text.slice(start, end))) out.push(id);
      start = end;
      size = PIECE_CHARS;
    }
    if (out.length > maxTokens) out.length = maxTokens;
    return out;
  }

  /**
   * Whether `text` may be cut before `index` without changing its ids: ids(text) = ids(before) + ids(after). True
   * before whitespace of {@link cutSpaces} that follows a visible character, unless the word before it ends in an added
   * token: transformers.js gives a section (text between added tokens) that normalizes to exactly an added token that
   * token's id, where inside a longer section the same text goes to the model.
   *
   * @example
   * encoder.isCut('One two', 3)  // → true
   * encoder.isCut('One two', 4)  // → false (inside a word: the second half would gain a `▁`)
   */
  isCut(text: string, index: number): boolean {
    if (index <= 0 || index >= text.length || !this.cutSpaces.includes(text[index])) return false;
    let cp = text.codePointAt(index - 1)!;
    if (cp >= 0xdc00 && cp <= 0xdfff) {
      const pair = index >= 2 ? text.codePointAt(index - 2)! : 0; // the code point the low surrogate ends, if any
      if (pair <= 0xffff) return false;
      cp = pair;
    }
    if ((cp >= 0xd800 && cp <= 0xdfff) || !isStableCodePoint(cp)) return false; // a lone surrogate, or unstable
    if (this.addedForms.length === 0) return true;
    let from = index - 1;
    while (from > 0 && !CUT_SPACES.includes(text[from - 1])) from--;
    const word = looseForm(text.slice(from, index));
    return !this.addedForms.some((form) => word.endsWith(form));
  }

  /** The end of the piece that starts at `start`: the last cut before start + size, else the next one, else forced. */
  private pieceEnd(text: string, start: number, size: number): number {
    const target = start + size;
    if (target >= text.length) return text.length;
    for (let i = target; i > start + (size >> 1); i--) if (this.isCut(text, i)) return i;
    const far = Math.min(text.length, start + MAX_PIECE_CHARS);
    for (let i = target + 1; i < far; i++) if (this.isCut(text, i)) return i;
    return far === text.length ? far : codePointBoundary(text, far);
  }

  /**
   * One call into transformers.js. Pieces are sized so its stack suffices (a character gives at most a token), but
   * NFKC expands some characters up to 18-fold: a piece that still overflows is halved, at a space if there is one.
   */
  private encodePiece(piece: string, maxTokens = Infinity): number[] {
    let ids: number[];
    try {
      const text = this.spaceAstralCjk ? piece.replace(ASTRAL_CJK, ' $& ') : piece;
      ids = this.tokenizer.encode(text, { add_special_tokens: false });
    } catch (error) {
      if (!(error instanceof RangeError) || piece.length < 2) throw error;
      let half = piece.length >> 1;
      const space = piece.lastIndexOf(' ', half);
      half = space > 0 ? space : codePointBoundary(piece, half);
      const left = this.encodePiece(piece.slice(0, half), maxTokens);
      if (left.length >= maxTokens) return left.slice(0, maxTokens);
      for (const id of this.encodePiece(piece.slice(half), maxTokens - left.length)) left.push(id);
      return left;
    }
    return ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
  }

  /**
   * A query's ids, as far as a pair of `maxLength` holds (¾ of it) and one more, which tells that it was cut: a
   * 5M-character query costs one piece of tokenizing.
   */
  encodeQuery(query: string, maxLength: number): number[] {
    return this.encode(query, maxQueryTokens(maxLength) + 1);
  }

  /** A document's ids beside a query of `queryIds`, as far as the pair holds and one more (see `encodeQuery`). */
  encodeDocument(document: string, queryIds: readonly number[], maxLength: number): number[] {
    return this.encode(document, documentRoom(queryIds.length, maxLength, this.template) + 1);
  }

  pairFromIds(queryIds: readonly number[], documentIds: readonly number[], maxLength: number): PairIds {
    return buildPairIds(queryIds, documentIds, maxLength, this.template);
  }
}
