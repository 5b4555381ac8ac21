/**
 * The exact cuts long documents are tokenized at: the ids of the two sides of every cut add up to the whole text's,
 * and tokenizers where a cut could change the ids get none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { exactCutSpaces } from '../../src/lib/text/exact-cuts.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { hostile, loadEncoders, modelConfig, tokenizerConfig, tokenizerJson } from '../helpers/long-text.ts';

let encoder: PairEncoder;
let whole: (text: string) => number[];

beforeAll(async () => {
  ({ encoder, whole } = await loadEncoders());
});

describe('exact cuts', () => {
  it('the XLM-R layout (demo and bge-reranker-v2-m3) may be cut before a space, tab, newline or return', () => {
    expect(encoder.cutSpaces).toBe(' \t\n\r');
    expect(encoder.isCut('One two', 3)).toBe(true);
    expect(encoder.isCut('One two', 4)).toBe(false);
    expect(encoder.isCut('One  two', 4)).toBe(false); // after a space, not a visible character
    expect(encoder.isCut('<s>＜pad＞ two', 8)).toBe(false); // '＜pad＞' alone would become the special token
  });

  it('ids of the two sides of every cut of hostile texts add up to the ids of the whole text', () => {
    let cuts = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const text = hostile(10 + (seed % 50), seed);
      const expected = whole(text);
      for (let i = 1; i < text.length; i++) {
        if (!encoder.isCut(text, i)) continue;
        cuts++;
        expect([...whole(text.slice(0, i)), ...whole(text.slice(i))], `${JSON.stringify(text)} cut at ${i}`).toEqual(expected);
      }
    }
    expect(cuts).toBeGreaterThan(500);
  });

  it("cuts are exact too with bge-reranker-v2-m3's layout (Precompiled, added tokens matched unnormalized) and NFKC alone", () => {
    const unnormalized = (tokenizerJson.added_tokens as Record<string, unknown>[]).map((t) => ({ ...t, normalized: false }));
    const layouts = {
      precompiled: { normalizer: { type: 'Precompiled', precompiled_charsmap: '' }, added_tokens: unnormalized },
      nfkc: { normalizer: { type: 'NFKC' } },
    };
    for (const [name, change] of Object.entries(layouts)) {
      const variant = PairEncoder.fromFiles({ tokenizerJson: { ...tokenizerJson, ...change }, tokenizerConfig, modelConfig });
      expect(variant.cutSpaces, name).toBe(name === 'nfkc' ? ' ' : ' \t\n\r');
      let cuts = 0;
      for (let seed = 1000; seed < 1150; seed++) {
        const text = hostile(10 + (seed % 50), seed); // short: encode() is one library call on the whole text
        const expected = variant.encode(text);
        for (let i = 1; i < text.length; i++) {
          if (!variant.isCut(text, i)) continue;
          cuts++;
          expect([...variant.encode(text.slice(0, i)), ...variant.encode(text.slice(i))], `${name}: ${JSON.stringify(text)} at ${i}`)
            .toEqual(expected);
        }
      }
      expect(cuts, name).toBeGreaterThan(100);
    }
  });

  it('tokenizers where a cut could change the ids get no cuts', () => {
    const model = tokenizerJson.model as Record<string, unknown>;
    const vocab = model.vocab as [string, number][];
    const pre = tokenizerJson.pre_tokenizer as Record<string, unknown>;
    const variants: Record<string, Record<string, unknown>> = {
      'a BPE model': { model: { ...model, type: 'BPE' } },
      'a piece with ▁ inside': { model: { ...model, vocab: [...vocab, ['a▁b', -20]] } },
      'no ▁ piece': { model: { ...model, vocab: vocab.filter(([piece]) => piece !== '▁') } },
      "Metaspace prepend_scheme 'first'": { pre_tokenizer: { ...pre, prepend_scheme: 'first' } },
      'a Strip normalizer': { normalizer: { type: 'Strip', strip_left: true, strip_right: true } },
      'a Replace of visible text': { normalizer: { type: 'Replace', pattern: { String: '``' }, content: '"' } },
      'a Replace that deletes spaces': { normalizer: { type: 'Replace', pattern: { Regex: '\\s' }, content: '' } },
      'an added token with a space': { added_tokens: [{ id: 5, content: 'a b', special: false }] },
    };
    for (const [what, change] of Object.entries(variants)) {
      expect(exactCutSpaces({ ...tokenizerJson, ...change }, tokenizerConfig), what).toBe('');
    }
    expect(exactCutSpaces(tokenizerJson, { ...tokenizerConfig, remove_space: true })).toBe('');
    // NFKC alone keeps tabs and newlines as they are (Metaspace only sees spaces): only spaces are cuts.
    expect(exactCutSpaces({ ...tokenizerJson, normalizer: { type: 'NFKC' } }, tokenizerConfig)).toBe(' ');
    expect(exactCutSpaces({ ...tokenizerJson, normalizer: { type: 'Precompiled', precompiled_charsmap: '' } }, tokenizerConfig))
      .toBe(' \t\n\r');
  });
});
