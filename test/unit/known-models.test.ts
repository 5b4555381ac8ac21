/**
 * The catalog of known hub models and the model picker's logic: order, complete entries, ids the core reads from the
 * hub, sizes, which file a load would download for each dtype and device setting, and what a pick changes.
 */
import { describe, expect, it } from 'vitest';
import { DTYPE_ORDER } from '../../src/lib/dtypes.ts';
import * as core from '../../src/core.ts';
import { KNOWN_MODELS, knownModel, publishedDtypes, type KnownModel } from '../../src/lib/files/known-models.ts';
import { isHubId } from '../../src/lib/files/model-source.ts';
import { DEFAULT_MODEL_ID } from '../../src/lib/types.ts';
import { describeCompactExport, describeDownload, downloadOptions, formatParameters, pickKnownModel } from '../../src/ui/model/known-model-choice.ts';

const V2_M3 = 'onnx-community/bge-reranker-v2-m3-ONNX';
const BASE = 'Xenova/bge-reranker-base';
const MINILM = 'Xenova/ms-marco-MiniLM-L-6-v2';
const model = (id: string): KnownModel => knownModel(id)!;

describe('KNOWN_MODELS', () => {
  it('lists bge-reranker-v2-m3 (the default) first, then bge-reranker-base, then MiniLM', () => {
    expect(KNOWN_MODELS.map((m) => m.id)).toEqual([V2_M3, BASE, MINILM]);
    expect(KNOWN_MODELS[0].id).toBe(DEFAULT_MODEL_ID);
    expect(KNOWN_MODELS.map((m) => m.original)).toEqual(['BAAI/bge-reranker-v2-m3', 'BAAI/bge-reranker-base', 'cross-encoder/ms-marco-MiniLM-L-6-v2']);
  });

  it('gives every entry every field, filled', () => {
    for (const m of KNOWN_MODELS) {
      for (const text of [m.id, m.original, m.name, m.architecture, m.languages, m.pickWhen]) {
        expect(typeof text, m.id).toBe('string');
        expect(text.trim().length, `${m.id}: ${text}`).toBeGreaterThan(2);
      }
      for (const count of [m.layers, m.parameters, m.maxTokens]) expect(Number.isInteger(count) && count > 0, `${m.id}: ${count}`).toBe(true);
      expect(publishedDtypes(m).length, m.id).toBeGreaterThan(0);
    }
  });

  it('has the figures of the model cards', () => {
    expect(KNOWN_MODELS.map((m) => [m.layers, m.parameters, m.maxTokens])).toEqual([
      [24, 568_000_000, 8192],
      [12, 278_000_000, 512],
      [6, 22_700_000, 512],
    ]);
    expect(KNOWN_MODELS.map((m) => m.architecture)).toEqual(['XLM-RoBERTa large', 'XLM-RoBERTa base', 'BERT (MiniLM)']);
  });

  it('names hub ids the core reads from the hub, and originals that are hub ids too', () => {
    for (const m of KNOWN_MODELS) {
      expect(isHubId(m.id), m.id).toBe(true);
      expect(isHubId(m.original), m.original).toBe(true);
    }
  });

  it('gives every published file a size in positive whole bytes, for dtypes the core knows', () => {
    for (const m of KNOWN_MODELS) {
      for (const [dtype, bytes] of Object.entries(m.downloadBytes)) {
        expect(DTYPE_ORDER, `${m.id} ${dtype}`).toContain(dtype);
        expect(Number.isInteger(bytes) && bytes > 0, `${m.id} ${dtype}: ${bytes}`).toBe(true);
      }
    }
  });

  it('knows every dtype file of bge-reranker-v2-m3, to the byte, the hub figures where known', () => {
    const sizes = model(V2_M3).downloadBytes;
    expect(publishedDtypes(model(V2_M3))).toEqual(DTYPE_ORDER);
    for (const dtype of DTYPE_ORDER) expect(sizes[dtype], dtype).toBeGreaterThan(0);
    expect(sizes.q8).toBe(570_727_094);
    expect(sizes.int8).toBe(570_727_094);
    expect(sizes.fp32).toBe(243_179 + 2_271_023_104);
    // The order of sizes a user sees: 4-bit with fp16 activations < q4 (float embedding table) < fp16 < fp32.
    expect(sizes.q8!).toBeLessThan(sizes.q4f16!);
    expect(sizes.q4f16!).toBeLessThan(sizes.fp16!);
    expect(sizes.fp16!).toBeLessThan(sizes.q4!);
    expect(sizes.q4!).toBeLessThan(sizes.fp32!);
  });

  it('lists only the files the Xenova repositories publish (fp32, fp16, q8), sized as the hub lists them', () => {
    expect(publishedDtypes(model(BASE))).toEqual(['fp32', 'fp16', 'q8']);
    expect(publishedDtypes(model(MINILM))).toEqual(['fp32', 'fp16', 'q8']);
    // The hub's listings, rounded as it shows them: base 1.11 GB, 556 MB, 279 MB; MiniLM 91 MB, 45.6 MB, 23.1 MB.
    const near = (bytes: number | undefined, listed: number, within: number) => Math.abs(bytes! - listed) / listed < within;
    expect(near(model(BASE).downloadBytes.fp32, 1.11e9, 0.005) && near(model(BASE).downloadBytes.fp16, 556e6, 0.005)).toBe(true);
    expect(near(model(BASE).downloadBytes.q8, 279e6, 0.005)).toBe(true);
    expect(near(model(MINILM).downloadBytes.fp32, 91e6, 0.005) && near(model(MINILM).downloadBytes.fp16, 45.6e6, 0.005)).toBe(true);
    expect(near(model(MINILM).downloadBytes.q8, 23.1e6, 0.02)).toBe(true);
    // Smallest first: MiniLM < base < v2-m3 in every dtype they share.
    for (const dtype of ['fp32', 'fp16', 'q8'] as const) {
      expect(model(MINILM).downloadBytes[dtype]!).toBeLessThan(model(BASE).downloadBytes[dtype]!);
      expect(model(BASE).downloadBytes[dtype]!).toBeLessThan(model(V2_M3).downloadBytes[dtype]!);
    }
  });

  it('finds a model by its exact id only', () => {
    expect(knownModel(MINILM)?.languages).toBe('English only');
    expect(knownModel('xenova/ms-marco-minilm-l-6-v2')).toBeUndefined();
    expect(knownModel('someone/some-reranker')).toBeUndefined();
  });

  it('is part of the core entry', () => {
    expect(core.KNOWN_MODELS).toBe(KNOWN_MODELS);
    expect(core.knownModel(V2_M3)).toBe(KNOWN_MODELS[0]);
  });
});

describe('downloadOptions: the file a load would download', () => {
  const dtypes = (id: string, dtype: Parameters<typeof downloadOptions>[1], device: Parameters<typeof downloadOptions>[2], webgpu: boolean) =>
    downloadOptions(model(id), dtype, device, webgpu).map((o) => `${o.dtype}@${o.where}`);

  it('on wasm, or without navigator.gpu, is q8 for auto', () => {
    expect(downloadOptions(model(V2_M3), 'auto', 'wasm', true)).toEqual([{ dtype: 'q8', bytes: 570_727_094, where: 'wasm' }]);
    expect(dtypes(MINILM, 'auto', 'auto', false)).toEqual(['q8@wasm']);
    expect(dtypes(BASE, 'auto', 'webgpu', false)).toEqual(['q8@wasm']);
  });

  it('with a possible GPU on auto: fp16, fp32 without shader-f16, q8 on a software adapter', () => {
    expect(dtypes(V2_M3, 'auto', 'auto', true)).toEqual(['fp16@WebGPU', 'fp32@WebGPU without shader-f16', 'q8@wasm']);
    expect(dtypes(MINILM, 'auto', 'webgpu', true)).toEqual(['fp16@WebGPU', 'fp32@WebGPU without shader-f16']);
  });

  it('an explicit dtype is that file, except fp16 and q4f16 on a GPU without shader-f16, as the core decides', () => {
    expect(dtypes(V2_M3, 'q4', 'auto', true)).toEqual(['q4@WebGPU or WebGPU without shader-f16 or wasm']);
    expect(dtypes(V2_M3, 'fp16', 'auto', true)).toEqual(['fp16@WebGPU or wasm', 'fp32@WebGPU without shader-f16']);
    expect(dtypes(V2_M3, 'q4f16', 'webgpu', true)).toEqual(['q4f16@WebGPU', 'q4@WebGPU without shader-f16']);
  });

  it('says so when the repository does not publish the dtype asked for', () => {
    const [option] = downloadOptions(model(MINILM), 'q4', 'wasm', true);
    expect(option).toEqual({ dtype: 'q4', bytes: undefined, where: 'wasm' });
    expect(describeDownload(option)).toBe('q4 not published for this model');
  });

  it('describes a size and a missing file', () => {
    expect(describeDownload({ dtype: 'q8', bytes: 570_727_094, where: 'wasm' })).toBe('q8 570.7 MB');
    expect(describeDownload({ dtype: 'fp32', bytes: 2_271_266_283, where: 'WebGPU' })).toBe('fp32 2.3 GB');
  });

  it('names the compact export of v2-m3 only, and its q4f16 fits the 350 MB the issue set', () => {
    expect(describeCompactExport(model(V2_M3))).toBe('q4f16 320.1 MB · q4 356.2 MB');
    expect(describeCompactExport(model(MINILM))).toBeNull();
    expect(model(V2_M3).compactBytes!.q4f16!).toBeLessThanOrEqual(350_000_000);
  });

  it("gives compact sizes that are the float-table files less what 4-bit word and position tables save", () => {
    // Each table: rows × 1024 values; float: 2 (q4f16) or 4 (q4) bytes a value; 4-bit: half a byte a value and one
    // scale (same float type) per block of 32. The rest of the file differs only by the lookup's few nodes.
    const rows = 250_002 + 8_194;
    const saved = (valueBytes: number) => rows * 1024 * valueBytes - (rows * 1024 / 2 + (rows * 1024 / 32) * valueBytes);
    const { downloadBytes, compactBytes } = model(V2_M3);
    for (const [dtype, valueBytes] of [['q4f16', 2], ['q4', 4]] as const) {
      const expected = downloadBytes[dtype]! - saved(valueBytes);
      expect(Math.abs(compactBytes![dtype]! - expected), dtype).toBeLessThan(64 * 1024);
    }
  });
});

describe('picking a known model', () => {
  it('selects the hub source with its id and keeps the max length within the model', () => {
    expect(pickKnownModel(model(MINILM), 1024)).toEqual({ source: 'hub', hubId: MINILM, maxLength: 512 });
    expect(pickKnownModel(model(MINILM), 256)).toEqual({ source: 'hub', hubId: MINILM, maxLength: 256 });
    expect(pickKnownModel(model(V2_M3), 4096)).toEqual({ source: 'hub', hubId: V2_M3, maxLength: 4096 });
    // A half-typed max length stays as it is (the Load button stays disabled until it is a number).
    expect(pickKnownModel(model(BASE), Number.NaN).maxLength).toBeNaN();
  });

  it('formats parameter counts as model cards do', () => {
    expect(KNOWN_MODELS.map((m) => formatParameters(m.parameters))).toEqual(['568M', '278M', '22.7M']);
  });
});
