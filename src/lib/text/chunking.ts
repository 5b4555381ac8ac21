/**
 * Long documents, `longDocuments: 'chunk'`: a document that does not fit beside the query is split into overlapping
 * windows that each fit, and scored by the best window (as Cohere does). Windows follow sentence, then word, then
 * character boundaries, so each is readable text and its offsets point into the original document.
 *
 * Each stretch of text is tokenized once: a unit's ids are kept, and a window whose units meet at exact cuts (see
 * {@link PairEncoder.isCut}) is the concatenation of their ids, equal to the ids of its text. Only a window with another
 * boundary inside (a CJK full stop without a space after it, a split word) is tokenized again, as text.
 */
import type { PairEncoder } from './tokenize.ts';

export interface TextWindow {
  /** UTF-16 offsets into the document: `document.slice(start, end)` is the window's text. */
  start: number;
  end: number;
  /** The ids of `document.slice(start, end)`, at most `room` of them. */
  ids: number[];
  /** The window still had to be cut (tokenization of the joined text exceeded the sum of its parts). */
  truncated: boolean;
}

/** What windows need from a tokenizer; {@link PairEncoder} is one. */
export type WindowTokenizer = Pick<PairEncoder, 'encode' | 'isCut'>;

interface Unit {
  start: number;
  end: number;
  /** Ids of `text.slice(start, end)`: all of them, or `room + 1` when there are more. */
  ids: number[];
  /** Tokens the unit counts for when windows are packed: at most `room`. */
  tokens: number;
  /** `start` is 0 or an exact cut (see PairEncoder.isCut). */
  cut: boolean;
}

// Latin punctuation ends a sentence only before whitespace ('3.14', 'e.g.x' go on); CJK punctuation ends it anywhere.
const SENTENCE = /(?:[^.!?;。！？；\n]|[.!?;](?=[^\s。！？；]))+[.!?;。！？；\n]*\s*|[.!?;。！？；\n]+\s*/y;
const WORD_END = /\S\s/g;
const SPACE = /\s/;

/**
 * Sentence ends, with 0 and text.length: after the closing punctuation and before the whitespace that follows it, so
 * every sentence but the first starts with its whitespace (a cut before whitespace can be exact, one after it cannot).
 */
function sentenceBounds(text: string): number[] {
  const bounds = [0];
  SENTENCE.lastIndex = 0;
  while (SENTENCE.lastIndex < text.length) {
    const m = SENTENCE.exec(text);
    if (!m || m[0].length === 0) break;
    let end = m.index + m[0].length;
    while (end > m.index && SPACE.test(text[end - 1])) end--;
    if (end > bounds[bounds.length - 1] && end < text.length) bounds.push(end);
  }
  bounds.push(text.length);
  return bounds;
}

/** Word ends in [start, end], with both: before each whitespace run that follows a non-space character. */
function wordBounds(text: string, start: number, end: number): number[] {
  const bounds = [start];
  const scope = text.slice(0, end); // so that the search stops at `end`
  WORD_END.lastIndex = start;
  for (let m = WORD_END.exec(scope); m && m.index + 1 < end; m = WORD_END.exec(scope)) {
    if (m.index + 1 > start) bounds.push(m.index + 1);
  }
  bounds.push(end);
  return bounds;
}

/**
 * Cuts text into units of at most `room` tokens each: sentences, else words, else runs of characters. Sentences (and
 * words of a long sentence) shorter than a quarter of `room` in characters are grouped, which bounds the number of
 * tokenizer calls without coarsening the windows much: such a group holds at most about a quarter of a window.
 */
function units(text: string, tokenizer: WindowTokenizer, room: number): Unit[] {
  const out: Unit[] = [];
  const small = Math.max(8, room >> 2);
  const add = (start: number, end: number, ids: number[]) => {
    out.push({ start, end, ids, tokens: Math.min(ids.length, room), cut: start === 0 || tokenizer.isCut(text, start) });
  };
  const encode = (start: number, end: number) => tokenizer.encode(text.slice(start, end), room + 1);
  // A run without spaces (CJK, code): fixed character spans, never splitting a surrogate pair.
  const characters = (start: number, end: number) => {
    const span = Math.max(1, room - 1);
    for (let s = start; s < end;) {
      let e = Math.min(end, s + span);
      if (e < end && /[\uD800-\uDBFF]/.test(text[e - 1])) e++;
      add(s, e, encode(s, e));
      s = e;
    }
  };
  // Greedy groups of consecutive spans (bounds[i]..bounds[j]) of at most `small` characters, at least one span each.
  const grouped = (bounds: number[], each: (i: number, j: number) => void) => {
    for (let i = 0; i + 1 < bounds.length;) {
      let j = i + 1;
      while (j + 1 < bounds.length && bounds[j + 1] - bounds[i] <= small) j++;
      each(i, j);
      i = j;
    }
  };
  const word = (start: number, end: number) => {
    const ids = encode(start, end);
    if (ids.length <= room) add(start, end, ids);
    else characters(start, end);
  };
  const words = (start: number, end: number) => {
    const bounds = wordBounds(text, start, end);
    grouped(bounds, (i, j) => {
      if (j === i + 1) return word(bounds[i], bounds[j]);
      const ids = encode(bounds[i], bounds[j]);
      if (ids.length <= room) add(bounds[i], bounds[j], ids);
      else for (let k = i; k < j; k++) word(bounds[k], bounds[k + 1]); // too dense for the room: a word at a time
    });
  };
  const sentences = sentenceBounds(text);
  grouped(sentences, (i, j) => {
    const ids = encode(sentences[i], sentences[j]);
    if (ids.length <= room) add(sentences[i], sentences[j], ids);
    else words(sentences[i], sentences[j]);
  });
  return out;
}

/**
 * Windows of at most `room` tokens that cover `text`, each starting about `overlap` of the room before the previous
 * one ends (a whole number of units back: none when the last unit is larger than that).
 *
 * @example
 * planWindows('One. Two. Three. Four. Five. Six.', (s) => s.trim().split(/\s+/).map(() => 9), 4)
 * // → [{ start: 0, end: 22, ids: [9, 9, 9, 9], truncated: false },   'One. Two. Three. Four.'
 * //    { start: 16, end: 33, ids: [9, 9, 9], truncated: false }]     ' Four. Five. Six.' (one sentence of overlap)
 */
export function planWindows(text: string, tokenizer: WindowTokenizer | ((text: string) => number[]), room: number,
  overlap = 0.25): TextWindow[] {
  const t: WindowTokenizer = typeof tokenizer === 'function'
    ? { encode: (s, maxTokens = Infinity) => tokenizer(s).slice(0, maxTokens), isCut: () => false }
    : tokenizer;
  const all = t.encode(text, room + 1);
  if (all.length <= room || room < 1) {
    return [{ start: 0, end: text.length, ids: all.slice(0, Math.max(0, room)), truncated: all.length > room }];
  }
  const parts = units(text, t, room);
  const windows: TextWindow[] = [];
  let first = 0;
  while (first < parts.length) {
    let last = first;
    let tokens = parts[first].tokens;
    while (last + 1 < parts.length && tokens + parts[last + 1].tokens <= room) tokens += parts[++last].tokens;
    const start = parts[first].start;
    const end = parts[last].end;
    // The units' ids are their texts', so only the boundaries between them must be exact, not the window's ends.
    let exact = true;
    for (let k = first; exact && k <= last; k++) exact = (k === first || parts[k].cut) && parts[k].ids.length <= room;
    if (exact) {
      const ids: number[] = [];
      for (let k = first; k <= last; k++) for (const id of parts[k].ids) ids.push(id);
      windows.push({ start, end, ids, truncated: false });
    } else {
      const ids = t.encode(text.slice(start, end), room + 1);
      windows.push({ start, end, ids: ids.slice(0, room), truncated: ids.length > room });
    }
    if (last + 1 >= parts.length) break;
    // Step back over trailing units worth up to `overlap` of the room, but always move forward.
    let next = last + 1;
    let carried = 0;
    while (next - 1 > first && carried + parts[next - 1].tokens <= overlap * room) carried += parts[--next].tokens;
    first = next;
  }
  return windows;
}
