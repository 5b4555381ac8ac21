/** The pair template read from tokenizer.json's post-processor, and pairs built from it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERT_PAIR_TEMPLATE, buildPairIds, documentRoom, pairTemplateOf, specialTokenCount, XLMR_PAIR_TEMPLATE } from '../../src/lib/text/pairs.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';

const BERT_TEMPLATE_PROCESSING = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
  pair: [
    { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
    { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
  ],
  special_tokens: {
    '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] },
    '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] },
  },
};

describe('pairTemplateOf', () => {
  it("reads the XLM-R demo model's TemplateProcessing as <s> A </s></s> B </s>, all type 0", () => {
    const tokenizer = JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'tokenizer.json'), 'utf8'));
    expect(pairTemplateOf(tokenizer.post_processor, null)).toEqual(XLMR_PAIR_TEMPLATE);
  });

  it("reads BERT's TemplateProcessing, BertProcessing and RobertaProcessing", () => {
    expect(pairTemplateOf(BERT_TEMPLATE_PROCESSING, null)).toEqual(BERT_PAIR_TEMPLATE);
    expect(pairTemplateOf({ type: 'BertProcessing', cls: ['[CLS]', 101], sep: ['[SEP]', 102] }, null)).toEqual(BERT_PAIR_TEMPLATE);
    expect(pairTemplateOf({ type: 'RobertaProcessing', cls: ['<s>', 0], sep: ['</s>', 2], trim_offsets: true }, null))
      .toEqual(XLMR_PAIR_TEMPLATE);
  });

  it('finds the template inside a Sequence, and uses the fallback only when there is no post-processor', () => {
    const sequence = { type: 'Sequence', processors: [{ type: 'ByteLevel', trim_offsets: false }, BERT_TEMPLATE_PROCESSING] };
    expect(pairTemplateOf(sequence, XLMR_PAIR_TEMPLATE)).toEqual(BERT_PAIR_TEMPLATE);
    expect(pairTemplateOf(null, BERT_PAIR_TEMPLATE)).toEqual(BERT_PAIR_TEMPLATE);
    expect(() => pairTemplateOf(null, null)).toThrow(/does not say how to join/);
    expect(() => pairTemplateOf({ type: 'ByteLevel' }, XLMR_PAIR_TEMPLATE)).toThrow(/ByteLevel/);
  });

  it('refuses templates that are not query then document, or name a token without ids', () => {
    const swapped = { ...BERT_TEMPLATE_PROCESSING, pair: [...BERT_TEMPLATE_PROCESSING.pair].reverse() };
    expect(() => pairTemplateOf(swapped, null)).toThrow(/B, A.*query \(A\) then the document \(B\)/);
    const single = { ...BERT_TEMPLATE_PROCESSING, pair: BERT_TEMPLATE_PROCESSING.single };
    expect(() => pairTemplateOf(single, null)).toThrow(/as A:/);
    const unknown = { ...BERT_TEMPLATE_PROCESSING, special_tokens: { '[CLS]': { ids: [101] } } };
    expect(() => pairTemplateOf(unknown, null)).toThrow(/"\[SEP\]", which has no ids/);
  });
});

describe('buildPairIds with a template', () => {
  it('gives BERT pairs token types 0 for [CLS] query [SEP] and 1 for document [SEP]', () => {
    expect(buildPairIds([10, 11], [20, 21, 22], 16, BERT_PAIR_TEMPLATE)).toEqual({
      ids: [101, 10, 11, 102, 20, 21, 22, 102],
      typeIds: [0, 0, 0, 0, 1, 1, 1, 1],
      truncated: false,
    });
    expect(buildPairIds([10, 11], [20], 16)).toEqual({ ids: [0, 10, 11, 2, 2, 20, 2], truncated: false });
  });

  it('keeps the rule: query at most ¾, only the document cut, the closing token kept, with the types in step', () => {
    const query = Array.from({ length: 40 }, (_, i) => 1000 + i);
    const document = Array.from({ length: 40 }, (_, i) => 2000 + i);
    for (const template of [XLMR_PAIR_TEMPLATE, BERT_PAIR_TEMPLATE]) {
      const pair = buildPairIds(query, document, 32, template);
      expect(pair.ids).toHaveLength(32);
      expect(pair.truncated).toBe(true);
      expect(pair.ids.filter((id) => id >= 1000 && id < 2000)).toHaveLength(24);
      expect(pair.ids.filter((id) => id >= 2000)).toHaveLength(documentRoom(40, 32, template));
      expect(pair.ids.at(-1)).toBe(template.close.ids.at(-1));
      if (pair.typeIds) expect(pair.typeIds).toHaveLength(pair.ids.length);
    }
    expect(specialTokenCount(XLMR_PAIR_TEMPLATE)).toBe(4);
    expect(specialTokenCount(BERT_PAIR_TEMPLATE)).toBe(3);
    expect(documentRoom(7, 512, BERT_PAIR_TEMPLATE)).toBe(502);
  });
});
