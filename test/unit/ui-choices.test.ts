/**
 * The app's form logic, DOM-free: what Load will load and why it cannot, a URL refused as it is typed, max length in
 * the user's terms, why Rerank cannot run (the library's limits told before a run), and when results are stale.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/lib/validate.ts';
import { MAX_MAX_LENGTH } from '../../src/lib/text/pairs.ts';
import { checkHubMirror, checkModelUrl, downloadedFrom, loadTarget, maxLengthProblem, type ModelChoice } from '../../src/ui/model/model-choice.ts';
import { describeLimits, rerankInputProblem, staleReason } from '../../src/ui/rerank/rerank-state.ts';
import type { RerankRequest } from '../../src/ui/rerank/rerank-request.ts';

const BASE = 'https://app.example/demo/';
const choice = (over: Partial<ModelChoice>): ModelChoice => ({ source: 'demo', demo: 'xlmr', hubId: '', hubMirror: '', url: '', files: {}, ...over });

describe('loadTarget: one source, named on the button', () => {
  it('names the demo, the hub model, the URL folder and the picked files', () => {
    expect(loadTarget(choice({ demo: 'bert' }), BASE)).toEqual({
      source: { url: 'https://app.example/demo/models/tiny-random-bert-reranker/' }, label: 'Load the BERT demo',
    });
    expect(loadTarget(choice({ source: 'hub', hubId: 'Xenova/ms-marco-MiniLM-L-6-v2' }), BASE)).toEqual({
      source: 'Xenova/ms-marco-MiniLM-L-6-v2', label: 'Load ms-marco-MiniLM-L-6-v2',
    });
    expect(loadTarget(choice({ source: 'hub', hubId: ' someone/other ' }), BASE)).toEqual({ source: 'someone/other', label: 'Load someone/other' });
    expect(loadTarget(choice({ source: 'url', url: 'https://host.example/m/my-model/' }), BASE)).toEqual({
      source: { url: 'https://host.example/m/my-model/' }, label: 'Load my-model from its URL',
    });
    const file = new Blob(['{}']);
    const target = loadTarget(choice({ source: 'files', files: { 'config.json': file, 'onnx/model.onnx': file } }), BASE);
    expect('label' in target && target.label).toBe('Load the 2 picked files');
  });

  it('the hub source ignores what the demo select says, and vice versa', () => {
    const both = choice({ source: 'demo', demo: 'xlmr', hubId: 'Xenova/ms-marco-MiniLM-L-6-v2' });
    expect(loadTarget(both, BASE)).toMatchObject({ label: 'Load the XLM-R demo' });
    expect(loadTarget({ ...both, source: 'hub' }, BASE)).toMatchObject({ label: 'Load ms-marco-MiniLM-L-6-v2' });
  });

  it('says why it cannot load: no hub id, no URL, no files', () => {
    expect(loadTarget(choice({ source: 'hub', hubId: 'not-an-id' }), BASE)).toEqual({ problem: expect.stringMatching(/owner\/name/) });
    expect(loadTarget(choice({ source: 'url', url: '' }), BASE)).toEqual({ problem: expect.stringMatching(/Type the base URL/) });
    expect(loadTarget(choice({ source: 'files' }), BASE)).toEqual({ problem: expect.stringMatching(/Pick a model folder/) });
  });
});

describe('checkModelUrl: refused as typed, not at fetch', () => {
  it('refuses the issue\'s "htp:/bad url", other schemes, spaces and a missing host', () => {
    expect(checkModelUrl('htp:/bad url', BASE)).toEqual({ problem: expect.stringMatching(/^"htp:" is not a web address/) });
    expect(checkModelUrl('ftp://host/m/', BASE)).toEqual({ problem: expect.stringMatching(/^"ftp:"/) });
    expect(checkModelUrl('https://host/my model/', BASE)).toEqual({ problem: expect.stringMatching(/no spaces/) });
    expect(checkModelUrl('https:/host/m/', BASE)).toEqual({ problem: expect.stringMatching(/two slashes/) });
  });

  it('accepts http(s) URLs and paths on this site, resolved against the page', () => {
    expect(checkModelUrl(' https://host.example/m/ ', BASE)).toEqual({ url: 'https://host.example/m/' });
    expect(checkModelUrl('http://127.0.0.1:8080/m/', BASE)).toEqual({ url: 'http://127.0.0.1:8080/m/' });
    expect(checkModelUrl('models/tiny/', BASE)).toEqual({ url: 'https://app.example/demo/models/tiny/' });
    expect(checkModelUrl('/models/tiny/', BASE)).toEqual({ url: 'https://app.example/models/tiny/' });
  });
});

describe('a hub mirror: checked as typed, passed as remoteHost', () => {
  it('empty is the hub itself; an address gets its trailing slash; anything else is refused', () => {
    expect(checkHubMirror(' ')).toEqual({ remoteHost: undefined });
    expect(checkHubMirror('https://hf-mirror.com')).toEqual({ remoteHost: 'https://hf-mirror.com/' });
    expect(checkHubMirror('https://mirror.example/hub/')).toEqual({ remoteHost: 'https://mirror.example/hub/' });
    expect(checkHubMirror('hf-mirror.com')).toEqual({ problem: expect.stringMatching(/^Hub mirror: start with https:\/\//) });
    expect(checkHubMirror('https://m.example/?x=1')).toEqual({ problem: expect.stringMatching(/without \? or #/) });
  });

  it('a hub load carries the mirror; a bad mirror blocks it with the reason', () => {
    const hub = choice({ source: 'hub', hubId: 'Xenova/bge-reranker-base', hubMirror: 'https://hf-mirror.com' });
    expect(loadTarget(hub, BASE)).toEqual({ source: 'Xenova/bge-reranker-base', label: 'Load bge-reranker-base', remoteHost: 'https://hf-mirror.com/' });
    expect(loadTarget({ ...hub, hubMirror: 'ftp://x/' }, BASE)).toEqual({ problem: expect.stringMatching(/^Hub mirror/) });
    expect(loadTarget({ ...hub, source: 'demo' }, BASE)).not.toHaveProperty('remoteHost');
  });
});

describe('maxLengthProblem: the limits in tokens, before a load', () => {
  it('says the range and the known model\'s own limit', () => {
    expect(maxLengthProblem(512)).toBeNull();
    expect(maxLengthProblem(100000)).toBe(`Max length: at most ${MAX_MAX_LENGTH} tokens per (query, document) pair; 100000 is too many.`);
    expect(maxLengthProblem(8)).toMatch(/at least 16 tokens/);
    expect(maxLengthProblem(Number.NaN)).toMatch(/a whole number of tokens/);
    expect(maxLengthProblem(1024, 512)).toBe('Max length: this model reads at most 512 tokens per pair; 1024 is too many.');
  });
});

describe('downloadedFrom: where files came from, in words', () => {
  it('names the hub host, this site, another host or the user\'s files', () => {
    const hub = 'https://huggingface.co/';
    expect(downloadedFrom('onnx-community/bge-reranker-v2-m3-ONNX', 'https://app.example', hub)).toBe('huggingface.co');
    expect(downloadedFrom('https://app.example/models/tiny/', 'https://app.example', hub)).toBe('this site');
    expect(downloadedFrom('https://cdn.example/models/tiny/', 'https://app.example', hub)).toBe('cdn.example');
    expect(downloadedFrom('local files', 'https://app.example', hub)).toBe('your files');
  });
});

const request = (over: Partial<RerankRequest> = {}): RerankRequest => ({
  query: 'capital of France?', documents: ['Paris.', 'Berlin.'], format: 'lines', batchSize: 16, batching: 'tokens',
  maxBatchTokens: 8192, sample: null, relevant: [], ...over,
});

describe('rerankInputProblem: why Rerank is disabled, before the run', () => {
  it('names an empty query, no documents, a bad batch size', () => {
    expect(rerankInputProblem(request())).toBeNull();
    expect(rerankInputProblem(request({ query: '  ' }))).toMatch(/^Type a query/);
    expect(rerankInputProblem(null)).toMatch(/^Type a query/);
    expect(rerankInputProblem(request({ documents: [] }))).toMatch(/^Add at least one document/);
    expect(rerankInputProblem(request({ batchSize: 0 }))).toBe('Batch size: a whole number from 1 to 4,096.');
    expect(rerankInputProblem(request({ batchSize: Number.NaN }))).toMatch(/^Batch size/);
    expect(rerankInputProblem(request({ maxBatchTokens: 0 }))).toMatch(/^Max batch tokens/);
    expect(rerankInputProblem(request({ batching: 'fixed', maxBatchTokens: 0 }))).toBeNull();
  });

  it('tells the library\'s limits in the user\'s terms (1,001 documents; too many characters), not as option names', () => {
    const tooMany = rerankInputProblem(request({ documents: Array.from({ length: DEFAULT_LIMITS.maxDocuments + 1 }, (_, i) => `doc ${i}`) }));
    expect(tooMany).toBe('1,001 documents: one rerank takes at most 1,000. Remove 1, or rerank them in parts.');
    const long = rerankInputProblem(request({ documents: ['x'.repeat(DEFAULT_LIMITS.maxTotalCharacters)] }));
    expect(long).toMatch(/^5,000,018 characters: one rerank reads at most 5,000,000/);
    for (const text of [tooMany, long, describeLimits()]) expect(text).not.toMatch(/limits\.|maxDocuments|maxTotalCharacters/);
    expect(describeLimits()).toBe('Up to 1,000 documents and 5,000,000 characters per rerank.');
  });
});

describe('staleReason: results marked when the model or the input changed', () => {
  const a = { name: 'model a' };
  const b = { name: 'model b' };
  const ran = { reranker: a, request: { query: 'q', documents: ['x', 'y'] } };

  it('is null while the model, the query and the documents are the same (batch settings do not count)', () => {
    expect(staleReason(ran, { reranker: a, request: request({ query: 'q', documents: ['x', 'y'], batchSize: 1 }) })).toBeNull();
  });

  it('names what changed', () => {
    expect(staleReason(ran, { reranker: b, request: ran.request })).toBe('another model is loaded');
    expect(staleReason(ran, { reranker: null, request: ran.request })).toBe('the model is no longer loaded');
    expect(staleReason(ran, { reranker: a, request: { query: 'q2', documents: ['x', 'y'] } })).toBe('the query changed');
    expect(staleReason(ran, { reranker: a, request: { query: 'q', documents: ['x'] } })).toBe('the documents changed');
    expect(staleReason(ran, { reranker: a, request: { query: '', documents: [] } })).toBe('the query and the documents changed');
  });
});
