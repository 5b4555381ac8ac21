/**
 * Long documents, `longDocuments: 'chunk'`: a document that does not fit beside the query is split into overlapping
 * windows that each fit, and scored by the best window (as Cohere does). Windows follow sentence, then word, then
 * character boundaries, so each is readable text and its offsets point into the original document.
 */
export interface TextWindow {
  /** UTF-16 offsets into the document: `document.slice(start, end)` is the window's text. */
  start: number;
  end: number;
  ids: number[];
  /** The window still had to be cut (tokenization of the joined text exceeded the sum of its parts). */
  truncated: boolean;
}

interface Unit {
  start: number;
  end: number;
  tokens: number;
}

const SENTENCE = /[^.!?。！？；;\n]+[.!?。！？；;\n]*\s*|[.!?。！？；;\n]+\s*/gy;
const WORD = /\S+\s*|\s+/gy;

function split(text: string, start: number, end: number, pattern: RegExp): [number, number][] {
  const out: [number, number][] = [];
  pattern.lastIndex = start;
  const slice = text.slice(0, end);
  while (pattern.lastIndex < end) {
    const m = pattern.exec(slice);
    if (!m || m[0].length === 0) break;
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** Cuts text into units of at most `room` tokens each: sentences, else words, else runs of characters. */
function units(text: string, encode: (s: string) => number[], room: number): Unit[] {
  const out: Unit[] = [];
  const visit = (start: number, end: number, level: number) => {
    const tokens = encode(text.slice(start, end)).length;
    if (tokens <= room || end - start <= 1) {
      out.push({ start, end, tokens: Math.min(tokens, room) });
      return;
    }
    const parts = level === 0 ? split(text, start, end, SENTENCE) : level === 1 ? split(text, start, end, WORD) : [];
    if (parts.length > 1) {
      for (const [s, e] of parts) visit(s, e, level + 1);
      return;
    }
    if (level < 2) {
      visit(start, end, level + 1);
      return;
    }
    // A run without spaces (CJK, code): fixed character spans, never splitting a surrogate pair.
    const span = Math.max(1, room - 1);
    for (let s = start; s < end; ) {
      let e = Math.min(end, s + span);
      if (e < end && /[\uD800-\uDBFF]/.test(text[e - 1])) e++;
      out.push({ start: s, end: e, tokens: Math.min(room, encode(text.slice(s, e)).length) });
      s = e;
    }
  };
  visit(0, text.length, 0);
  return out;
}

/**
 * @example
 * planWindows('One. Two. Three.', (s) => s.trim().split(/\s+/).map(() => 9), 2)
 * // → windows over 'One. Two. ' and 'Two. Three.' (each sentence 1 token, 2 per window, one overlapping)
 */
export function planWindows(text: string, encode: (s: string) => number[], room: number, overlap = 0.25): TextWindow[] {
  const parts = units(text, encode, room);
  const windows: TextWindow[] = [];
  let first = 0;
  while (first < parts.length) {
    let last = first;
    let tokens = parts[first].tokens;
    while (last + 1 < parts.length && tokens + parts[last + 1].tokens <= room) tokens += parts[++last].tokens;
    const start = parts[first].start;
    const end = parts[last].end;
    const ids = encode(text.slice(start, end));
    windows.push({ start, end, ids: ids.slice(0, room), truncated: ids.length > room });
    if (last + 1 >= parts.length) break;
    // Step back over trailing units worth up to `overlap` of the room, but always move forward.
    let next = last + 1;
    let carried = 0;
    while (next - 1 > first && carried + parts[next - 1].tokens <= overlap * room) carried += parts[--next].tokens;
    first = next;
  }
  return windows;
}
