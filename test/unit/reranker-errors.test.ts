/** Bad input gets a named error with a clear message, and the reranker stays usable. Loading from URLs and the hub. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from '@huggingface/transformers';
import { createReranker, type LoadProgress, type Reranker, type RerankerOptions } from '../../src/lib/index.ts';
import { DEMO_MODEL_DIR, demoFiles } from '../helpers/models.ts';
import { serveDirectory, type TestServer } from '../helpers/server.ts';
import { buildTokenizer } from '../../scripts/model/tokenizer.ts';

let reranker: Reranker;
let plain: TestServer;

beforeAll(async () => {
  reranker = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'q8' });
  plain = await serveDirectory(DEMO_MODEL_DIR);
});

afterAll(async () => {
  await reranker?.dispose();
  await plain?.close();
});

async function expectError(promise: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e as Error);
  expect(error, `expected ${name}`).not.toBeNull();
  expect(error!.name).toBe(name);
  expect(error!.message).toMatch(message);
  expect(error).toBeInstanceOf(Error);
}

describe('bad calls', () => {
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    ['an empty query', () => reranker.rerank('', ['doc']), 'InputError', /query is empty/],
    ['a whitespace query', () => reranker.rerank(' \n\t ', ['doc']), 'InputError', /query is empty/],
    ['a non-string query', () => reranker.rerank(42 as unknown as string, ['doc']), 'InputError', /query must be a string, got number/],
    ['no documents', () => reranker.rerank('q', []), 'InputError', /no documents/],
    ['documents not an array', () => reranker.rerank('q', 'doc' as unknown as string[]), 'InputError', /array of strings/],
    ['a non-string document', () => reranker.rerank('q', ['ok', 7 as unknown as string]), 'InputError', /document 1 must be a string, got number/],
    ['a null document', () => reranker.rerank('q', [null as unknown as string]), 'InputError', /document 0 must be a string, got null/],
    ['batchSize 0', () => reranker.rerank('q', ['d'], { batchSize: 0 }), 'InputError', /batchSize must be an integer/],
    ['batchSize NaN', () => reranker.rerank('q', ['d'], { batchSize: NaN }), 'InputError', /batchSize/],
    ['a negative topK', () => reranker.rerank('q', ['d'], { topK: -1 }), 'InputError', /topK/],
    ['an unknown batching mode', () => reranker.rerank('q', ['d'], { batching: 'greedy' as 'fixed' }), 'InputError', /batching must be one of fixed, tokens/],
    ['no pairs', () => reranker.score([]), 'InputError', /no pairs/],
    ['a malformed pair', () => reranker.score([['q'] as unknown as [string, string]]), 'InputError', /pair 0 must be \[query, document\]/],
  ];
  for (const [what, call, name, message] of cases) {
    it(`${what} → ${name}`, async () => {
      await expectError(call(), name, message);
    });
  }

  it('leaves the reranker usable', async () => {
    const results = await reranker.rerank('query', ['a', 'b']);
    expect(results).toHaveLength(2);
  });

  it('an aborted signal stops the call with AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectError(reranker.rerank('q', ['d'], { signal: controller.signal }), 'AbortError', /aborted/);
  });
});

describe('bad models and options', () => {
  const load = (options: RerankerOptions) => createReranker({ device: 'wasm', ...options });
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    ['maxLength 0', () => load({ model: { files: demoFiles() }, maxLength: 0 }), 'InputError', /maxLength must be an integer from 16 to 8192/],
    ['maxLength 9000', () => load({ model: { files: demoFiles() }, maxLength: 9000 }), 'InputError', /maxLength must be/],
    ['maxLength 1.5', () => load({ model: { files: demoFiles() }, maxLength: 1.5 }), 'InputError', /maxLength must be/],
    ['maxLength past the model', () => load({ model: { files: demoFiles() }, maxLength: 1024 }), 'InputError', /exceeds what this model supports \(512 tokens\)/],
    ['an unknown dtype', () => load({ model: { files: demoFiles() }, dtype: 'int3' as 'q8' }), 'InputError', /dtype must be one of/],
    ['a missing model file', () => load({ model: { files: demoFiles({ 'onnx/model_quantized.onnx': null }) }, dtype: 'q8' }),
      'ModelLoadError', /onnx\/model_quantized.onnx is missing from the selected files/],
    ['a missing tokenizer', () => load({ model: { files: demoFiles({ 'tokenizer.json': null }) } }), 'ModelLoadError', /tokenizer.json is missing/],
    ['a truncated ONNX file', () => load({ model: { files: demoFiles({ 'onnx/model.onnx': fs.readFileSync(path.join(DEMO_MODEL_DIR, 'onnx/model.onnx')).subarray(0, 5000) }) }, dtype: 'fp32' }),
      'ModelLoadError', /ONNX file could not be loaded/],
    ['an ONNX file of garbage', () => load({ model: { files: demoFiles({ 'onnx/model.onnx': 'not a model at all' }) }, dtype: 'fp32' }),
      'ModelLoadError', /ONNX file could not be loaded/],
    ['a config that is not JSON', () => load({ model: { files: demoFiles({ 'config.json': '{"model_type": ' }) } }), 'ModelLoadError', /config.json is not valid JSON/],
    ['a tokenizer of another vocabulary size', () => load({
      model: { files: demoFiles({ 'tokenizer.json': JSON.stringify(buildTokenizer({ vocabSize: 5000, modelMaxLength: 512 }).tokenizer) }) },
    }), 'ModelLoadError', /tokenizer has 5000 tokens but the model's vocabulary has 2005/],
    ['a model id that is not a hub id', () => load({ model: 'not a hub id!' }), 'ModelLoadError', /is not a hub id/],
  ];
  for (const [what, call, name, message] of cases) {
    it(`${what} → ${name}`, async () => {
      await expectError(call(), name, message);
    });
  }

  it('a config that lies about the vocabulary is caught against the graph\'s embedding table, before any run', async () => {
    const config = JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'config.json'), 'utf8'));
    const tokenizer = buildTokenizer({ vocabSize: 5000, modelMaxLength: 512 }).tokenizer;
    await expectError(load({
      model: { files: demoFiles({ 'tokenizer.json': JSON.stringify(tokenizer), 'config.json': JSON.stringify({ ...config, vocab_size: 5000 }) }) },
      dtype: 'fp32',
    }), 'ModelLoadError', /token 4999 is outside the model's vocabulary \(onnx\/model.onnx has 2005 tokens\)/);
  });

  it('a URL that answers 404 names the file and the status', async () => {
    await expectError(load({ model: { url: `${plain.url}no-such-model/` } }), 'ModelLoadError', /config.json is missing .* HTTP 404/);
  });

  it('a dev server answering index.html for a missing file says so instead of a JSON parse error', async () => {
    const spa = await serveDirectory(fs.mkdtempSync(path.join(os.tmpdir(), 'empty-')), { htmlFallback: true });
    try {
      await expectError(load({ model: { url: `${spa.url}models/bge/` } }), 'ModelLoadError', /returned an HTML page instead of the file/);
    } finally {
      await spa.close();
    }
  });

  it('an aborted load stops with AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectError(load({ model: { files: demoFiles() }, signal: controller.signal }), 'AbortError', /aborted/);
  });
});

describe('model sources', () => {
  it('loads a self-hosted URL with per-file and overall byte progress', async () => {
    const events: LoadProgress[] = [];
    const r = await createReranker({ model: { url: plain.url }, device: 'wasm', dtype: 'fp16', progress: (e) => events.push(e) });
    try {
      expect(r.info.dtype).toBe('fp16');
      expect(r.info.files.map((f) => f.path)).toContain('onnx/model_fp16.onnx');
      const done = events.filter((e) => e.status === 'done');
      expect(done.map((e) => e.file).sort()).toEqual(['config.json', 'onnx/model_fp16.onnx', 'tokenizer.json', 'tokenizer_config.json']);
      const last = done.at(-1)!;
      const size = fs.statSync(path.join(DEMO_MODEL_DIR, 'onnx/model_fp16.onnx')).size;
      expect(last.status === 'done' && last.overall.loaded).toBeGreaterThan(size);
      expect(events.at(-1)!.status).toBe('ready');
      expect(events.some((e) => e.status === 'progress' && e.file === 'onnx/model_fp16.onnx' && e.total === size)).toBe(true);
      expect((await r.rerank('q', ['a', 'b'])).length).toBe(2);
    } finally {
      await r.dispose();
    }
  });

  it('loads a hub id from env.remoteHost with the hub URL layout, picking q8 on wasm under auto', async () => {
    const hub = await serveDirectory(DEMO_MODEL_DIR, {
      route: (p) => p.match(/^\/test-org\/tiny-reranker-ONNX\/resolve\/main\/(.+)$/)?.[1] ?? null,
    });
    const saved = env.remoteHost;
    env.remoteHost = hub.url;
    try {
      const r = await createReranker({ model: 'test-org/tiny-reranker-ONNX', device: 'auto', dtype: 'auto' });
      expect(r.info.backend).toBe('wasm');
      expect(r.info.dtype).toBe('q8');
      expect(r.info.fallbacks[0]).toMatchObject({ from: 'webgpu', to: 'wasm' });
      expect(r.info.modelId).toBe('test-org/tiny-reranker-ONNX');
      expect(r.info.generated).toBe(true);
      expect(hub.requests).toContain('GET /test-org/tiny-reranker-ONNX/resolve/main/onnx/model_quantized.onnx');
      expect(hub.requests.some((q) => q.startsWith('GET') && q.endsWith('model.onnx'))).toBe(false);
      await r.dispose();
    } finally {
      env.remoteHost = saved;
      await hub.close();
    }
  });

  it('a disposed reranker refuses work with DisposedError', async () => {
    const r = await createReranker({ model: { files: demoFiles() }, device: 'wasm' });
    await r.dispose();
    await expectError(r.rerank('q', ['d']), 'DisposedError', /disposed/);
  });
});
