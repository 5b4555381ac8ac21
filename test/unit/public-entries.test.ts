/** What the package's entries export: the contract, the dtype table, the worker's serve function; no internals. */
import { describe, expect, it } from 'vitest';

describe('public entries', () => {
  it('bge-reranker-web/core: the core, the dtype table and the worker side for a worker of ones own', async () => {
    const core = await import('../../src/core.ts');
    for (const name of ['createReranker', 'serveReranker', 'installMemoryProbe', 'DTYPES', 'DTYPE_ORDER', 'ERROR_CLASSES',
      'checkRerankCall', 'checkScoreCall', 'rankScores', 'scoresFromLogits', 'isDevice',
      'InputError', 'ModelLoadError', 'OutOfMemoryError', 'DeviceLostError', 'AbortError', 'DisposedError', 'RerankerError']) {
      expect(core, name).toHaveProperty(name);
    }
    for (const internal of ['throwIfAborted', 'BackendUnavailableError', 'resetGpuPeak', 'readMemoryUsage']) {
      expect(core, internal).not.toHaveProperty(internal);
    }
    // Every class that crosses the worker is exported by name.
    for (const name of Object.keys(core.ERROR_CLASSES)) expect(core, name).toHaveProperty(name);
  });

  it('bge-reranker-web: the worker-backed createReranker and the same tables, without the serve side', async () => {
    const main = await import('../../src/index.ts');
    for (const name of ['createReranker', 'DTYPES', 'DTYPE_ORDER', 'KNOWN_MODELS', 'ModelLoadError']) expect(main, name).toHaveProperty(name);
    for (const internal of ['throwIfAborted', 'BackendUnavailableError', 'serveReranker']) expect(main, internal).not.toHaveProperty(internal);
  });
});
