/**
 * What the model panel's form means, as pure functions (tested in Node): which source is chosen and what Load will
 * load, whether a typed URL can be fetched at all, and whether a max length is one the library accepts. Each problem
 * comes back as words for the user, shown beside the field and the Load button before anything runs.
 */
import { knownModel } from '../../lib/files/known-models.ts';
import { isHubId } from '../../lib/files/model-source.ts';
import { MAX_MAX_LENGTH, MIN_MAX_LENGTH } from '../../lib/text/pairs.ts';
import type { ModelSource } from '../../lib/types.ts';
import { plural } from '../shared/format.ts';

export type SourceKind = 'demo' | 'hub' | 'url' | 'files';

/** The bundled demo models under public/ (served at the site root): relative paths, so any base path works. */
export const DEMO_MODELS = {
  xlmr: { path: 'models/tiny-random-bge-reranker/', label: 'XLM-R (as bge-reranker)', name: 'XLM-R demo' },
  bert: { path: 'models/tiny-random-bert-reranker/', label: 'BERT (as ms-marco-MiniLM)', name: 'BERT demo' },
} as const;
export type DemoModel = keyof typeof DEMO_MODELS;

/** The panel's form: one source is chosen; the others keep what was typed, unused. */
export interface ModelChoice {
  source: SourceKind;
  demo: DemoModel;
  hubId: string;
  /** A hub mirror for hub ids ('' = the hub itself). */
  hubMirror: string;
  url: string;
  files: Readonly<Record<string, Blob>>;
}

/** What Load would do: the model source, or why it cannot (said in the user's terms). */
export type LoadTarget = { source: ModelSource; label: string; remoteHost?: string } | { problem: string };

/**
 * A typed model-folder URL: an http(s) URL, or a path on this site (relative to `base`). Anything else is refused
 * before a fetch could fail on it (`htp:/x`, `mailto:`, spaces in a host).
 *
 * @example
 * checkModelUrl('https://example.org/models/m/', 'https://app.example/') // → { url: 'https://example.org/models/m/' }
 * checkModelUrl('models/m/', 'https://app.example/demo/')               // → { url: 'https://app.example/demo/models/m/' }
 * checkModelUrl('htp:/bad url', 'https://app.example/')
 * // → { problem: '"htp:" is not a web address: start with https:// (or http://), or give a path on this site.' }
 */
export function checkModelUrl(text: string, base: string): { url: string } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'Type the base URL of a model folder.' };
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    return { problem: `"${scheme}:" is not a web address: start with https:// (or http://), or give a path on this site.` };
  }
  if (/\s/.test(trimmed)) return { problem: 'A URL has no spaces: check what was pasted.' };
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    return { problem: 'Not a URL: give https://host/path/to/model/ or a path on this site.' };
  }
  if (scheme !== undefined && !/^https?:\/\/[^/]/i.test(trimmed)) return { problem: 'Write the address as https://host/path/ (two slashes, then the host).' };
  return { url: url.href };
}

/**
 * A hub mirror typed by the user: empty for the hub itself, else an http(s) address the hub's paths follow
 * (`{mirror}{id}/resolve/main/…`), with a trailing slash.
 *
 * @example
 * checkHubMirror('')                        // → { remoteHost: undefined }
 * checkHubMirror('https://hf-mirror.com')   // → { remoteHost: 'https://hf-mirror.com/' }
 * checkHubMirror('hf-mirror.com')           // → { problem: 'Hub mirror: start with https:// (or http://), as in https://hf-mirror.com/.' }
 */
export function checkHubMirror(text: string): { remoteHost: string | undefined } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { remoteHost: undefined };
  if (!/^https?:\/\//i.test(trimmed)) return { problem: 'Hub mirror: start with https:// (or http://), as in https://hf-mirror.com/.' };
  const checked = checkModelUrl(trimmed, 'https://unused.invalid/');
  if ('problem' in checked) return { problem: `Hub mirror: ${checked.problem}` };
  const url = new URL(checked.url);
  if (url.search || url.hash) return { problem: 'Hub mirror: only the address the hub\'s paths follow, without ? or #.' };
  return { remoteHost: checked.url.endsWith('/') ? checked.url : `${checked.url}/` };
}

/**
 * Why a max length cannot be used, or null when it can. `modelLimit` is the picked known model's own limit, if any.
 *
 * @example
 * maxLengthProblem(100000) // → 'Max length: at most 8192 tokens per (query, document) pair; 100000 is too many.'
 * maxLengthProblem(1024, 512) // → 'Max length: this model reads at most 512 tokens per pair; 1024 is too many.'
 * maxLengthProblem(512)    // → null
 */
export function maxLengthProblem(value: number, modelLimit?: number): string | null {
  if (!Number.isInteger(value)) return `Max length: a whole number of tokens, from ${MIN_MAX_LENGTH} to ${MAX_MAX_LENGTH}.`;
  if (value < MIN_MAX_LENGTH) return `Max length: at least ${MIN_MAX_LENGTH} tokens per pair (the query, the document and separators).`;
  if (value > MAX_MAX_LENGTH) return `Max length: at most ${MAX_MAX_LENGTH} tokens per (query, document) pair; ${value} is too many.`;
  if (modelLimit !== undefined && value > modelLimit) return `Max length: this model reads at most ${modelLimit} tokens per pair; ${value} is too many.`;
  return null;
}

/** The last meaningful segment of a URL path: "tiny-random-bge-reranker" for ".../models/tiny-random-bge-reranker/". */
const lastSegment = (url: string): string => new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? new URL(url).host;

/**
 * What Load will load with this form, with the button's words; or why it cannot.
 *
 * @example
 * loadTarget({ source: 'demo', demo: 'bert', hubId: '', hubMirror: '', url: '', files: {} }, 'https://app.example/')
 * // → { source: { url: 'https://app.example/models/tiny-random-bert-reranker/' }, label: 'Load the BERT demo' }
 * loadTarget({ source: 'hub', demo: 'xlmr', hubId: 'Xenova/ms-marco-MiniLM-L-6-v2', hubMirror: '', url: '', files: {} }, base).label
 * // → 'Load ms-marco-MiniLM-L-6-v2'
 */
export function loadTarget(choice: ModelChoice, base: string): LoadTarget {
  switch (choice.source) {
    case 'demo': {
      const demo = DEMO_MODELS[choice.demo];
      return { source: { url: new URL(demo.path, base).href }, label: `Load the ${demo.name}` };
    }
    case 'hub': {
      const id = choice.hubId.trim();
      if (!isHubId(id)) return { problem: 'Type a hub id as owner/name, or pick a model below.' };
      const mirror = checkHubMirror(choice.hubMirror);
      if ('problem' in mirror) return mirror;
      return { source: id, label: `Load ${knownModel(id)?.name ?? id}`, ...(mirror.remoteHost ? { remoteHost: mirror.remoteHost } : {}) };
    }
    case 'url': {
      const checked = checkModelUrl(choice.url, base);
      return 'problem' in checked ? checked : { source: { url: checked.url }, label: `Load ${lastSegment(checked.url)} from its URL` };
    }
    case 'files': {
      const paths = Object.keys(choice.files);
      if (paths.length === 0) return { problem: 'Pick a model folder, or its files.' };
      return { source: { files: { ...choice.files } }, label: `Load the ${plural(paths.length, 'picked file')}` };
    }
  }
}

/**
 * Where a loaded model's files came from when not from the browser cache, in words: from `info.modelId` (a hub id, a
 * folder URL, or 'local files').
 *
 * @example
 * downloadedFrom('onnx-community/bge-reranker-v2-m3-ONNX', 'https://app.example', 'https://huggingface.co/') // → 'huggingface.co'
 * downloadedFrom('https://app.example/models/tiny/', 'https://app.example', hub)                      // → 'this site'
 * downloadedFrom('local files', 'https://app.example', hub)                                          // → 'your files'
 */
export function downloadedFrom(modelId: string, pageOrigin: string, hubHost: string): string {
  if (modelId === 'local files') return 'your files';
  if (/^https?:\/\//i.test(modelId)) {
    const url = new URL(modelId);
    return url.origin === pageOrigin ? 'this site' : url.host;
  }
  return new URL(hubHost).host;
}
