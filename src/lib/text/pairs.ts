/**
 * Builds cross-encoder inputs the way the reference implementations (FlagEmbedding's FlagReranker, sentence-transformers'
 * CrossEncoder) do, from the tokenizer's own pair template: XLM-R `<s> query </s></s> document </s>`, BERT
 * `[CLS] query [SEP] document [SEP]` with token types 0 then 1. The query is cut to at most ¾ of maxLength, only the
 * document is truncated to fit, and the closing special token is always present. (transformers.js' own pair truncation
 * cuts the joined pair and drops the final `</s>`, which changes scores.)
 */
import { ModelLoadError } from '../errors.ts';

/** Special tokens at one place of the pair template, with their token types. */
export interface SpecialRun {
  ids: readonly number[];
  types: readonly number[];
}

/** A pair template of the form `open A middle B close`: what the tokenizer's post-processor puts around two texts. */
export interface PairTemplate {
  open: SpecialRun;
  middle: SpecialRun;
  close: SpecialRun;
  /** Token type of the query's and the document's tokens. */
  queryType: number;
  documentType: number;
}

const run = (ids: number[], type = 0): SpecialRun => ({ ids, types: ids.map(() => type) });

/** XLM-R's template (bge-reranker-v2-m3, bge-reranker-base, the generated XLM-R models): `<s> A </s></s> B </s>`. */
export const XLMR_PAIR_TEMPLATE: PairTemplate = {
  open: run([0]), middle: run([2, 2]), close: run([2]), queryType: 0, documentType: 0,
};

/** BERT's template (bert-base-uncased's ids, as ms-marco-MiniLM has them): `[CLS] A [SEP] B [SEP]`, types 0 then 1. */
export const BERT_PAIR_TEMPLATE: PairTemplate = {
  open: run([101]), middle: run([102]), close: run([102], 1), queryType: 0, documentType: 1,
};

/** Special tokens a pair of this template holds besides its texts. */
export function specialTokenCount(template: PairTemplate): number {
  return template.open.ids.length + template.middle.ids.length + template.close.ids.length;
}

/** The smallest maxLength at which a ¾ query still leaves room for the special tokens. */
export const MIN_MAX_LENGTH = 16;
/** bge-reranker-v2-m3's usual max_length, and the most this project allows (the model has 8194 positions). */
export const DEFAULT_MAX_LENGTH = 512;
export const MAX_MAX_LENGTH = 8192;

export interface PairIds {
  ids: number[];
  /** Token types, where the template gives any token a type other than 0 (BERT); absent means all 0. */
  typeIds?: number[];
  /** The document (or the query, past its ¾ cap) lost tokens. */
  truncated: boolean;
}

export function maxQueryTokens(maxLength: number): number {
  return Math.floor((maxLength * 3) / 4);
}

/**
 * Tokens a document may have beside a query of `queryTokens` tokens (cut to ¾ of maxLength).
 *
 * @example
 * documentRoom(7, 512)                      // → 501 (XLM-R: 4 special tokens)
 * documentRoom(7, 512, BERT_PAIR_TEMPLATE)  // → 502 (BERT: 3)
 */
export function documentRoom(queryTokens: number, maxLength: number, template: PairTemplate = XLMR_PAIR_TEMPLATE): number {
  return maxLength - Math.min(queryTokens, maxQueryTokens(maxLength)) - specialTokenCount(template);
}

/**
 * @example
 * buildPairIds([10, 11], [20, 21, 22], 16)
 * // → { ids: [0, 10, 11, 2, 2, 20, 21, 22, 2], truncated: false }
 * buildPairIds([10, 11], [20, 21, 22], 16, BERT_PAIR_TEMPLATE)
 * // → { ids: [101, 10, 11, 102, 20, 21, 22, 102], typeIds: [0, 0, 0, 0, 1, 1, 1, 1], truncated: false }
 */
export function buildPairIds(queryIds: readonly number[], documentIds: readonly number[], maxLength: number,
  template: PairTemplate = XLMR_PAIR_TEMPLATE): PairIds {
  const query = queryIds.slice(0, maxQueryTokens(maxLength));
  const document = documentIds.slice(0, Math.max(0, documentRoom(query.length, maxLength, template)));
  const { open, middle, close } = template;
  const pair: PairIds = {
    ids: [...open.ids, ...query, ...middle.ids, ...document, ...close.ids],
    truncated: query.length < queryIds.length || document.length < documentIds.length,
  };
  const typed = template.queryType !== 0 || template.documentType !== 0 ||
    [open, middle, close].some((r) => r.types.some((t) => t !== 0));
  if (typed) {
    pair.typeIds = [...open.types, ...query.map(() => template.queryType), ...middle.types,
      ...document.map(() => template.documentType), ...close.types];
  }
  return pair;
}

type Json = Record<string, unknown>;

/** The `[token, id]` of RobertaProcessing / BertProcessing. */
function tokenId(value: unknown, what: string): number {
  const id = Array.isArray(value) ? value[1] : undefined;
  if (typeof id !== 'number') throw new ModelLoadError(`tokenizer.json's post_processor has no id for its ${what} token`);
  return id;
}

/** A TemplateProcessing `pair` template, read into {@link PairTemplate}'s `open A middle B close` form. */
function fromTemplateProcessing(processor: Json): PairTemplate {
  const pieces = processor.pair;
  const specials = (processor.special_tokens ?? {}) as Record<string, { ids?: unknown }>;
  if (!Array.isArray(pieces)) throw new ModelLoadError("tokenizer.json's TemplateProcessing has no pair template");
  const runs: { ids: number[]; types: number[] }[] = [{ ids: [], types: [] }];
  const sequenceTypes: number[] = [];
  const order: string[] = [];
  for (const piece of pieces as Json[]) {
    const special = piece.SpecialToken as { id?: unknown; type_id?: unknown } | undefined;
    const sequence = piece.Sequence as { id?: unknown; type_id?: unknown } | undefined;
    if (special) {
      const ids = specials[String(special.id)]?.ids;
      if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'number')) {
        throw new ModelLoadError(`tokenizer.json's pair template names "${String(special.id)}", which has no ids`);
      }
      const current = runs[runs.length - 1];
      for (const id of ids as number[]) {
        current.ids.push(id);
        current.types.push(Number(special.type_id ?? 0));
      }
    } else if (sequence) {
      order.push(String(sequence.id));
      sequenceTypes.push(Number(sequence.type_id ?? 0));
      runs.push({ ids: [], types: [] });
    }
  }
  if (order.join() !== 'A,B') {
    throw new ModelLoadError(`tokenizer.json's pair template has the texts as ${order.join(', ') || 'nothing'}: ` +
      'a cross-encoder needs the query (A) then the document (B)');
  }
  return { open: runs[0], middle: runs[1], close: runs[2], queryType: sequenceTypes[0], documentType: sequenceTypes[1] };
}

/**
 * The pair template of a tokenizer.json's post-processor: TemplateProcessing (bge-reranker-v2-m3's export, BERT
 * exports), RobertaProcessing, BertProcessing, or one of those inside a Sequence. `fallback` (from the tokenizer's
 * cls/sep tokens) is used when the file has no post-processor.
 *
 * @example
 * pairTemplateOf({ type: 'BertProcessing', cls: ['[CLS]', 101], sep: ['[SEP]', 102] }, null)
 * // → BERT_PAIR_TEMPLATE's value
 */
export function pairTemplateOf(processor: Json | null | undefined, fallback: PairTemplate | null): PairTemplate {
  switch (processor?.type) {
    case 'TemplateProcessing':
      return fromTemplateProcessing(processor);
    case 'RobertaProcessing': {
      const cls = tokenId(processor.cls, 'cls');
      const sep = tokenId(processor.sep, 'sep');
      return { open: run([cls]), middle: run([sep, sep]), close: run([sep]), queryType: 0, documentType: 0 };
    }
    case 'BertProcessing': {
      const cls = tokenId(processor.cls, 'cls');
      const sep = tokenId(processor.sep, 'sep');
      return { open: run([cls]), middle: run([sep]), close: run([sep], 1), queryType: 0, documentType: 1 };
    }
    case 'Sequence': {
      const inner = ((processor.processors ?? []) as Json[])
        .filter((p) => ['TemplateProcessing', 'RobertaProcessing', 'BertProcessing'].includes(String(p?.type)));
      if (inner.length === 1) return pairTemplateOf(inner[0], fallback);
      break;
    }
    case undefined:
      if (fallback) return fallback;
      break;
  }
  throw new ModelLoadError(`tokenizer.json's post_processor (${String(processor?.type ?? 'none')}) does not say how ` +
    'to join a query and a document');
}
