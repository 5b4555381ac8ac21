/**
 * What a model string names: a Hugging Face hub repository, or something else (a folder URL). One rule for the core
 * (model-files.ts reads a string source from the hub only when this says so) and for `<bge-reranker model="…">`
 * (which resolves anything else against the page), so the two can never disagree about `models/tiny`. DOM-free.
 */

/**
 * First path segments huggingface.co keeps for its own pages: no user or organisation can have these names, so
 * `models/tiny` or `datasets/x` is a folder next to the page, never a repository.
 */
const RESERVED_OWNERS = new Set(['models', 'datasets', 'spaces', 'docs', 'api', 'settings', 'organizations', 'join', 'login',
  'blog', 'papers', 'collections', 'new', 'pricing', 'tasks', 'learn']);

/**
 * A hub repository id part as the hub validates it (huggingface_hub's `validate_repo_id`): 1–96 of letters, digits,
 * `_`, `-`, `.`, starting and ending with a letter, digit or `_`, without `--` or `..`.
 */
const PART = /^\w(?:[\w.-]{0,94}\w)?$/;

/**
 * Whether `value` is a hub repository id (`owner/name`), as opposed to a URL or a path.
 *
 * @example
 * isHubId('onnx-community/bge-reranker-v2-m3-ONNX') // → true
 * isHubId('models/tiny')                            // → false  (huggingface.co/models is the hub's own page)
 * isHubId('./tiny/model')                           // → false
 * isHubId('https://example.org/m/')                 // → false
 */
export function isHubId(value: string): boolean {
  const parts = value.split('/');
  if (parts.length !== 2) return false;
  const [owner, name] = parts;
  if (!parts.every((p) => PART.test(p) && !p.includes('--') && !p.includes('..'))) return false;
  return !RESERVED_OWNERS.has(owner.toLowerCase()) && !name.toLowerCase().endsWith('.git');
}

/**
 * A folder given as a string that is clearly a URL or a path, not a hub id: an `http(s)://` or `file:` URL, a
 * protocol-relative `//host/…`, an absolute path (`/…`, `C:\…`, `\\server\…`) or one that starts from the current
 * folder (`./…`, `../…`). Bare names such as `models/tiny` are neither: the core refuses them rather than guess
 * (`<bge-reranker model>` resolves them against the page itself).
 *
 * @example
 * isUrlOrPath('https://example.org/models/x/') // → true
 * isUrlOrPath('/models/x/')                    // → true
 * isUrlOrPath('./models/x/')                   // → true
 * isUrlOrPath('models/x')                      // → false
 * isUrlOrPath('ftp://example.org/x/')          // → false  (only http, https and file are read)
 */
export function isUrlOrPath(value: string): boolean {
  return /^(?:https?:\/\/[^/]|file:|\/|\.\.?(?:[/\\]|$)|[a-z]:[/\\]|\\\\)/i.test(value);
}
