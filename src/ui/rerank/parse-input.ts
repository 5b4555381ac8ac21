/**
 * Reads the documents box: one document per line, or pasted JSON (an array of strings, or `{ query, documents }`),
 * detected from the text itself. DOM-free, so it is unit-testable.
 */

export type InputFormat = 'lines' | 'json-array' | 'json-object';

export interface ParsedDocuments {
  documents: string[];
  /** Set when the text was `{ query, documents }`: it replaces the query field. */
  query?: string;
  format: InputFormat;
  /** Why the text was read the way it was, when that is not obvious (e.g. JSON-looking text that did not parse). */
  note?: string;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

const lines = (text: string): string[] => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

/**
 * @example
 * parseDocuments('Paris is in France.\n\nBerlin is in Germany.')
 * // → { documents: ['Paris is in France.', 'Berlin is in Germany.'], format: 'lines' }
 * parseDocuments('{"query": "capital?", "documents": ["Paris", "Berlin"]}')
 * // → { documents: ['Paris', 'Berlin'], query: 'capital?', format: 'json-object' }
 */
export function parseDocuments(text: string): ParsedDocuments {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      return { documents: lines(text), format: 'lines', note: 'looks like JSON but does not parse: read as one document per line' };
    }
    if (isStringArray(value)) return { documents: value, format: 'json-array' };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { query, documents } = value as { query?: unknown; documents?: unknown };
      if (isStringArray(documents)) {
        return { documents, format: 'json-object', ...(typeof query === 'string' ? { query } : {}) };
      }
    }
    return { documents: lines(text), format: 'lines', note: 'JSON that is neither an array of strings nor { query, documents }: read as one document per line' };
  }
  return { documents: lines(text), format: 'lines' };
}
