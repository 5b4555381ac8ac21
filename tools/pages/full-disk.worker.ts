/// <reference lib="webworker" />
/**
 * A reranker worker whose disk fills mid-download: the browser cache takes a model file's first two pieces, then
 * refuses every later write of that file with QuotaExceededError, as Chromium does when the origin's quota runs out.
 * (The other files, smaller than a piece, are stored as usual.)
 */
import { serveReranker } from '../../src/worker/serve.ts';
import { PIECE_PARAM } from '../../src/lib/files/cache.ts';
import { trustSameOriginScripts } from '../../src/worker/trusted-types.ts';

const put = Cache.prototype.put;
const piecesTaken = { count: 0 };
Cache.prototype.put = async function (this: Cache, request: RequestInfo | URL, response: Response) {
  const url = new URL(request instanceof Request ? request.url : String(request));
  const piece = url.searchParams.has(PIECE_PARAM);
  if (!url.pathname.endsWith('.onnx') || (piece && ++piecesTaken.count <= 2)) return put.call(this, request, response);
  throw new DOMException('the disk is full', 'QuotaExceededError');
};
trustSameOriginScripts(); // onnxruntime's wasm threads, as in the library's worker
serveReranker(self);
