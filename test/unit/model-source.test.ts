/**
 * One rule for "is this a hub id?", shared by the core's file reader and `<bge-reranker model="…">`; which strings
 * the core takes as a model folder's URL or path, and loading the demo model from such strings (over http, and from
 * the file system in Node).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReranker } from '../../src/lib/index.ts';
import { createFileReader, ProgressTracker } from '../../src/lib/files/model-files.ts';
import { isHubId, isUrlOrPath } from '../../src/lib/files/model-source.ts';
import type { Reranker } from '../../src/lib/types.ts';
import { modelSourceFromAttribute } from '../../src/ui/element/bge-reranker-api.ts';
import { DEMO_MODEL_DIR, demoFiles, maxAbsDiff } from '../helpers/models.ts';
import { serveDirectory, type TestServer } from '../helpers/server.ts';

describe('isHubId', () => {
  it('accepts owner/name repository ids', () => {
    for (const id of ['onnx-community/bge-reranker-v2-m3-ONNX', 'BAAI/bge-reranker-v2-m3', 'a/b', 'user_1/model.v2', 'Xenova/ms-marco-MiniLM-L-6-v2']) {
      expect(isHubId(id), id).toBe(true);
    }
  });

  it('rejects paths, URLs and names the hub itself refuses', () => {
    for (const value of ['models/tiny', 'models/tiny/', 'datasets/x', './tiny/model', '../m/x', '/models/tiny', 'tiny',
      'https://example.org/m/', 'a/b/c', 'owner/-name', 'owner/name.', 'own--er/name', 'owner/na..me', 'owner/name.git', '']) {
      expect(isHubId(value), value).toBe(false);
    }
  });

  it('decides what the element sends to the hub', () => {
    expect(modelSourceFromAttribute('models/tiny', 'https://example.org/demo/')).toEqual({ url: 'https://example.org/demo/models/tiny' });
    expect(modelSourceFromAttribute('BAAI/bge-reranker-v2-m3', 'https://example.org/demo/')).toBe('BAAI/bge-reranker-v2-m3');
  });
});

describe('isUrlOrPath', () => {
  it('accepts http(s) and file URLs, absolute paths, and paths from the current folder', () => {
    for (const value of ['https://host/models/x/', 'http://127.0.0.1:8080/m', 'HTTPS://Host/x', 'file:///srv/models/x/',
      '//cdn.example.org/models/x/', '/models/x/', '/', './models/x/', './', '.', '..', '../models/x', '.\\models\\x',
      'C:\\models\\x', 'c:/models/x', '\\\\server\\share\\x']) {
      expect(isUrlOrPath(value), value).toBe(true);
    }
  });

  it('refuses hub ids, bare names, other schemes and odd strings', () => {
    for (const value of ['onnx-community/bge-reranker-v2-m3-ONNX', 'models/x', 'models/x/', 'tiny', 'a/b/c', '', ' ', ' ./x',
      '.models/x', '...', 'https://', 'https:///x', 'http:/x', 'ftp://host/x/', 'javascript:alert(1)', 'data:,x', 'blob:x',
      'mailto:a@b', '~/models/x', '?x=1', '#x']) {
      expect(isUrlOrPath(value), value).toBe(false);
    }
  });

  it('never says both: a hub id is not a URL or path', () => {
    for (const value of ['a/b', 'BAAI/bge-reranker-v2-m3', './a/b', '/a/b', 'https://a/b', 'models/tiny', '..', 'a/b/c']) {
      expect(isHubId(value) && isUrlOrPath(value), value).toBe(false);
    }
  });
});

describe('the core\'s reader for a string model', () => {
  const reader = (source: string) => createFileReader(source, new ProgressTracker(), false);

  it('reads a hub id from the hub, a URL or path from that folder, and refuses anything else by name', () => {
    expect(reader('onnx-community/bge-reranker-v2-m3-ONNX').label).toBe('onnx-community/bge-reranker-v2-m3-ONNX');
    for (const folder of ['https://host/models/x/', '/models/x/', './models/x/']) expect(reader(folder).label).toBe(folder);
    for (const odd of ['models/tiny', 'tiny', 'a/b/c', '', 'ftp://host/x/']) {
      expect(() => reader(odd), odd).toThrow(expect.objectContaining({ name: 'ModelLoadError', message: expect.stringMatching(/is not a hub id .* or a URL or path/) }));
    }
  });
});

describe('loading the demo model from a string', () => {
  const PAIRS: [string, string][] = [['what is the capital of France?', 'Paris is the capital of France.'],
    ['what is the capital of France?', 'Bananas are rich in potassium.']];
  let server: TestServer;
  let expected: number[];

  beforeAll(async () => {
    server = await serveDirectory(path.dirname(DEMO_MODEL_DIR));
    const reference = await createReranker({ model: { files: demoFiles() }, device: 'wasm', dtype: 'q8' });
    expected = await reference.score(PAIRS);
    await reference.dispose();
  });
  afterAll(() => server?.close());

  async function scoreWith(model: string): Promise<{ reranker: Reranker; scores: number[] }> {
    const reranker = await createReranker({ model, device: 'wasm', dtype: 'q8', cache: false });
    try {
      return { reranker, scores: await reranker.score(PAIRS) };
    } finally {
      await reranker.dispose();
    }
  }

  it('an http URL string: the files come from that folder on the server', async () => {
    const folder = `${server.url}${path.basename(DEMO_MODEL_DIR)}/`;
    const before = server.requests.length;
    const { reranker, scores } = await scoreWith(folder);
    expect(maxAbsDiff(scores, expected)).toBeLessThan(1e-6);
    expect(reranker.info.modelId).toBe(folder);
    const base = `/${path.basename(DEMO_MODEL_DIR)}/`;
    expect(server.requests.slice(before).sort()).toEqual(
      ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((f) => `GET ${base}${f}`));
  });

  it('in Node, a path (absolute, from the working directory, or a file: URL) is read from disk', async () => {
    const relative = `./${path.relative(process.cwd(), DEMO_MODEL_DIR).split(path.sep).join('/')}/`;
    for (const model of [DEMO_MODEL_DIR, relative, pathToFileURL(DEMO_MODEL_DIR).href]) {
      const { scores } = await scoreWith(model);
      expect(maxAbsDiff(scores, expected), model).toBeLessThan(1e-6);
    }
  });

  it('a folder on disk without the model: the missing file is named', async () => {
    await expect(createReranker({ model: path.join(DEMO_MODEL_DIR, 'onnx'), device: 'wasm', dtype: 'q8' }))
      .rejects.toMatchObject({ name: 'ModelLoadError', missingFile: expect.stringMatching(/^(config|tokenizer|tokenizer_config)\.json$/),
        message: expect.stringMatching(/\.json is missing from .*onnx: .*\.json does not exist/) });
  });
});
