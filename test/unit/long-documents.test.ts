/**
 * Long documents tokenized in pieces: transformers.js alone overflows the stack past ~120k tokens, so PairEncoder.encode
 * and planWindows must give the whole text's ids wherever the library can still tokenize it, up to 5M characters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { planWindows, type TextWindow } from '../../src/lib/text/chunking.ts';
import type { PairEncoder } from '../../src/lib/text/tokenize.ts';
import { hostile, loadEncoders, MAX_CHARS, prose } from '../helpers/long-text.ts';

let encoder: PairEncoder;
let whole: (text: string) => number[];

beforeAll(async () => {
  ({ encoder, whole } = await loadEncoders());
});

describe('the cause', () => {
  it('transformers.js overflows the stack on a text of ~130k tokens; the encoder does not', () => {
    const text = 'a'.repeat(130_000); // about a token a character
    expect(() => whole(text)).toThrow(RangeError);
    expect(encoder.encode(text).length).toBeGreaterThan(120_000);
  });
});

describe('PairEncoder.encode', () => {
  const texts: Record<string, string> = {
    prose: prose(90_000),
    hostile: hostile(20_000, 7),
    'Chinese lines': '腾讯成立于1998年11月，是中国最早的互联网公司之一。\n'.repeat(2_000),
  };

  for (const [name, text] of Object.entries(texts)) {
    it(`equals transformers.js on the whole text, and its first n ids equal the whole text's (${name}, ${text.length} characters)`, () => {
      const expected = whole(text);
      expect(encoder.encode(text)).toEqual(expected);
      for (const n of [0, 1, 2, 17, 509, 4_000, expected.length - 1, expected.length, expected.length + 1]) {
        expect(encoder.encode(text, n), `first ${n}`).toEqual(expected.slice(0, n));
      }
    });
  }

  it("gives a 5M-character text's first ids: those of a prefix cut at an exact cut", () => {
    const text = prose(MAX_CHARS, 2);
    let cut = 30_000;
    while (!encoder.isCut(text, cut)) cut++;
    const expected = whole(text.slice(0, cut));
    expect(expected.length).toBeGreaterThan(8_193);
    for (const n of [1, 509, 8_193]) expect(encoder.encode(text, n)).toEqual(expected.slice(0, n));
  });

  it('tokenizes 200,000 characters without a space (cut every 32k characters, where no exact cut exists)', () => {
    const text = '中文检索重排序模型😀'.repeat(20_000);
    const ids = encoder.encode(text);
    expect(ids.length).toBeGreaterThan(50_000);
    expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= encoder.maxTokenId)).toBe(true);
    // The first ids do not depend on where the run was cut.
    expect(encoder.encode(text, 509)).toEqual(whole(text.slice(0, 30_000)).slice(0, 509));
  });
});

/** Windows cover the text in order, fit the room, and hold the ids of their own text. */
function expectWindows(text: string, windows: TextWindow[], room: number, check: (w: TextWindow) => boolean = () => true) {
  expect(windows[0].start).toBe(0);
  expect(windows.at(-1)!.end).toBe(text.length);
  windows.forEach((w, i) => {
    expect(w.ids.length).toBeLessThanOrEqual(room);
    expect(w.end).toBeGreaterThan(w.start);
    if (i > 0) {
      expect(w.start).toBeGreaterThan(windows[i - 1].start); // progress
      expect(w.start).toBeLessThanOrEqual(windows[i - 1].end); // no gap
    }
    expect(/[\uDC00-\uDFFF]/.test(text[w.start] ?? '')).toBe(false);
    if (check(w)) {
      const ids = whole(text.slice(w.start, w.end));
      expect(w.ids, `window ${i}`).toEqual(ids.slice(0, room));
      expect(w.truncated).toBe(ids.length > room);
    }
  });
}

describe('planWindows', () => {
  it('windows of mixed text hold exactly the ids of their text, tokenized once (no window re-tokenized)', () => {
    const text = prose(60_000, 3) + hostile(3_000, 4);
    const room = 60;
    const windows = planWindows(text, encoder, room);
    expect(windows.length).toBeGreaterThan(200);
    expectWindows(text, windows, room);
    // Windows overlap where units are small enough (a sentence of more than ¼ of the room is not repeated).
    const overlapping = windows.filter((w, i) => i > 0 && w.start < windows[i - 1].end).length;
    expect(overlapping / windows.length).toBeGreaterThan(0.2);
  });

  it('windows of text without spaces (CJK, emoji) fit and never split a surrogate pair', () => {
    const text = '腾讯成立于1998年11月是中国最早的互联网公司之一😀'.repeat(400) + ' and some English words at the end.';
    expectWindows(text, planWindows(text, encoder, 30), 30);
  });

  it('a plain encode function still works (every window tokenized as text)', () => {
    const text = prose(5_000, 5);
    expectWindows(text, planWindows(text, whole, 40), 40);
  });

  it('plans 5M characters of prose: windows cover, fit, overlap, and hold the ids of their text', () => {
    const text = prose(MAX_CHARS, 6);
    const room = 490;
    const windows = planWindows(text, encoder, room);
    expect(windows.length).toBeGreaterThan(3_000);
    expect(windows.every((w) => !w.truncated)).toBe(true);
    expectWindows(text, windows, room, (w) => windows.indexOf(w) % 250 === 0); // spot checks against the library
  }, 300_000);
});
