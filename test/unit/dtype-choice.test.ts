/** Which dtype loads where, and that loading reads only the file it will load (no probing of every dtype). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtypeCandidates, dtypeNotes } from '../../src/lib/runtime/backend.ts';
import { autoDtypes, DTYPE_ORDER, DTYPES, isDtype, ONNX_FILE_BY_DTYPE } from '../../src/lib/dtypes.ts';
import { createReranker } from '../../src/lib/runtime/load.ts';
import type { AdapterInfo } from '../../src/lib/types.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { serveDirectory, type TestServer } from '../helpers/server.ts';

const adapter = (shaderF16: boolean): AdapterInfo =>
  ({ vendor: 'v', architecture: 'a', description: 'd', isFallbackAdapter: false, shaderF16 });

describe('dtype names and files', () => {
  it('are transformers.js\' names and the onnx-community export\'s files', () => {
    expect(ONNX_FILE_BY_DTYPE).toEqual({
      fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx', q8: 'onnx/model_quantized.onnx', int8: 'onnx/model_int8.onnx',
      uint8: 'onnx/model_uint8.onnx', q4: 'onnx/model_q4.onnx', q4f16: 'onnx/model_q4f16.onnx',
    });
  });

  it('auto prefers fp16 then q4f16 on a shader-f16 adapter, fp32 then q4 without, q8 on wasm', () => {
    expect(dtypeCandidates('auto', 'webgpu', adapter(true)).dtypes.slice(0, 2)).toEqual(['fp16', 'q4f16']);
    expect(dtypeCandidates('auto', 'webgpu', adapter(false)).dtypes.slice(0, 2)).toEqual(['fp32', 'q4']);
    expect(dtypeCandidates('auto', 'wasm', null).dtypes[0]).toBe('q8');
    for (const device of ['webgpu', 'wasm'] as const) {
      for (const f16 of [true, false]) {
        const { dtypes } = dtypeCandidates('auto', device, adapter(f16));
        if (device === 'webgpu' && !f16) expect(dtypes).not.toContain('fp16');
        expect(new Set(dtypes).size).toBe(dtypes.length);
      }
    }
  });

  it('a half-precision dtype asked for on WebGPU without shader-f16 is replaced, with the reason', () => {
    expect(dtypeCandidates('fp16', 'webgpu', adapter(false))).toMatchObject({ dtypes: ['fp32', 'q4'], fallbacks: [{ from: 'fp16', to: 'fp32' }] });
    expect(dtypeCandidates('q4f16', 'webgpu', adapter(false))).toMatchObject({ dtypes: ['q4', 'fp32'], fallbacks: [{ from: 'q4f16', to: 'q4' }] });
    expect(dtypeCandidates('q4f16', 'webgpu', adapter(true))).toEqual({ dtypes: ['q4f16'], fallbacks: [] });
    expect(dtypeCandidates('int8', 'wasm', null)).toEqual({ dtypes: ['int8'], fallbacks: [] });
  });

  it('notes say what runs on the CPU: dynamic quantization on WebGPU, half precision on wasm', () => {
    for (const d of ['q8', 'int8', 'uint8'] as const) expect(dtypeNotes(d, 'webgpu').join(' ')).toMatch(/MatMulInteger.*CPU/);
    for (const d of ['fp32', 'fp16', 'q4', 'q4f16'] as const) expect(dtypeNotes(d, 'webgpu')).toEqual([]);
    expect(dtypeNotes('fp16', 'wasm').join(' ')).toMatch(/computes in fp32/);
  });

  it('one frozen table: every dtype has a file, a label, a description and a tolerance; auto derives from it', () => {
    expect(Object.isFrozen(DTYPES)).toBe(true);
    expect(Object.isFrozen(DTYPES.fp16.autoRank)).toBe(true);
    expect(() => { (DTYPES.fp32 as { label: string }).label = 'x'; }).toThrow(TypeError);
    expect(DTYPE_ORDER).toEqual(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16']);
    for (const dtype of DTYPE_ORDER) {
      const spec = DTYPES[dtype];
      expect(spec.label.startsWith(dtype), dtype).toBe(true);
      expect(spec.description.length, dtype).toBeGreaterThan(10);
      expect(spec.selfCheckTolerance, dtype).toBeGreaterThan(0);
      expect(spec.needsShaderF16, dtype).toBe(spec.withoutShaderF16.length > 0);
      for (const substitute of spec.withoutShaderF16) expect(DTYPES[substitute].needsShaderF16).toBe(false);
    }
    expect(DTYPES.fp32.selfCheckTolerance).toBeLessThan(DTYPES.fp16.selfCheckTolerance);
    expect(autoDtypes('webgpu', true)).toEqual(['fp16', 'q4f16', 'fp32', 'q4', 'q8']);
    expect(autoDtypes('webgpu', false)).toEqual(['fp32', 'q4', 'q8']);
    expect(autoDtypes('wasm', false)).toEqual(['q8', 'int8', 'uint8', 'fp32', 'q4', 'fp16', 'q4f16']);
    expect(isDtype('q4f16')).toBe(true);
    expect(isDtype('bnb4')).toBe(false);
    expect(isDtype('toString')).toBe(false);
  });

  it('the public entries export the table (the UI builds its dtype options from it)', async () => {
    const core = await import('../../src/core.ts');
    expect(core.DTYPES).toBe(DTYPES);
    expect(core.DTYPE_ORDER).toBe(DTYPE_ORDER);
  });

  it('bnb4 is refused with the reason, before anything is read', async () => {
    await expect(createReranker({ model: { url: 'http://127.0.0.1:9/' }, dtype: 'bnb4' as never }))
      .rejects.toMatchObject({ name: 'InputError', message: expect.stringMatching(/bnb4 .*not supported.*q4/) });
  });
});

describe('loading from a static host', () => {
  let full: TestServer;
  /** The demo model without model_quantized.onnx: auto on wasm must fall to the next dtype. */
  let noQ8: TestServer;

  beforeAll(async () => {
    full = await serveDirectory(DEMO_MODEL_DIR);
    noQ8 = await serveDirectory(DEMO_MODEL_DIR, { route: (p) => (p.endsWith('model_quantized.onnx') ? null : p.replace(/^\//, '')) });
  });
  afterAll(async () => {
    await full?.close();
    await noQ8?.close();
  });

  const onnxRequests = (server: TestServer) => server.requests.filter((r) => r.includes('/onnx/'));

  it('reads only the file it loads: one ONNX request, no HEAD probes, no 404', async () => {
    for (const dtype of ['auto', ...DTYPE_ORDER] as const) {
      full.requests.length = 0;
      const r = await createReranker({ model: { url: full.url }, device: 'wasm', dtype, cache: false });
      try {
        const expected = dtype === 'auto' ? 'q8' : dtype;
        expect(r.info.dtype).toBe(expected);
        expect(onnxRequests(full)).toEqual([`GET /${ONNX_FILE_BY_DTYPE[expected]}`]);
        expect(await r.score([['q', 'a document']])).toHaveLength(1);
      } finally {
        await r.dispose();
      }
    }
  });

  it('auto moves on when the preferred file is missing, and says which file was missing', async () => {
    const r = await createReranker({ model: { url: noQ8.url }, device: 'wasm', cache: false });
    try {
      expect(r.info.dtype).toBe('int8');
      expect(onnxRequests(noQ8)).toEqual(['GET /onnx/model_quantized.onnx', 'GET /onnx/model_int8.onnx']);
      expect(r.info.fallbacks).toEqual([{ from: 'q8', to: 'int8', reason: expect.stringContaining('onnx/model_quantized.onnx is not in') }]);
    } finally {
      await r.dispose();
    }
  });

  it('a device that fails after the file was read falls back without reading it again', async () => {
    // A WebGPU adapter that onnxruntime's Node build cannot use: the webgpu session fails, wasm takes over.
    const fakeAdapter = { features: { has: () => false }, info: { vendor: 'test', architecture: '', description: 'fake', isFallbackAdapter: false } };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async () => fakeAdapter } }, configurable: true });
    full.requests.length = 0;
    try {
      const r = await createReranker({ model: { url: full.url }, device: 'webgpu', dtype: 'fp32', cache: false });
      try {
        expect(r.info.backend).toBe('wasm');
        expect(r.info.fallbacks.map((f) => `${f.from}→${f.to}`)).toEqual(['webgpu→wasm']);
        expect(onnxRequests(full)).toEqual(['GET /onnx/model.onnx']);
      } finally {
        await r.dispose();
      }
    } finally {
      delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('a dtype asked for by name whose file is missing fails, naming the file', async () => {
    await expect(createReranker({ model: { url: noQ8.url }, device: 'wasm', dtype: 'q8', cache: false }))
      .rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringMatching(/onnx\/model_quantized.onnx is missing .* HTTP 404/) });
  });
});
