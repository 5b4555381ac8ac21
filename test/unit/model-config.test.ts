/** config.json read once into a typed ModelConfig: every field, the errors that name a bad key, and info.embeddings. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReranker } from '../../src/lib/index.ts';
import { embeddingStorage, externalDataFiles, parseModelConfig } from '../../src/lib/files/model-config.ts';
import { DEMO_MODEL_DIR, demoFiles } from '../helpers/models.ts';

const demoConfig = () => JSON.parse(fs.readFileSync(path.join(DEMO_MODEL_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;

const COMPACT = {
  dtypes: ['q4', 'q4f16'], bits: 4, block_size: 32, symmetric: true, tables: ['word_embeddings', 'position_embeddings'],
  lookup: 'GatherBlockQuantized',
};

describe('parseModelConfig', () => {
  it("reads the demo XLM-R model's config", () => {
    expect(parseModelConfig(demoConfig())).toEqual({
      architecture: 'XLMRobertaForSequenceClassification',
      modelType: 'xlm-roberta',
      labels: 1,
      positions: 512, // 514 positions less pad_token_id + 1
      padTokenId: 1,
      vocabSize: 2005,
      externalData: { byFile: {}, otherwise: 0 },
      embeddingQuantization: null,
      generated: true,
    });
  });

  it('BERT numbers positions from 0; labels from num_labels; the model type when no architectures', () => {
    const config = parseModelConfig({ model_type: 'bert', max_position_embeddings: 512, pad_token_id: 0, num_labels: 2 });
    expect(config).toMatchObject({ architecture: 'bert', positions: 512, labels: 2, generated: false, vocabSize: undefined });
    expect(parseModelConfig({})).toMatchObject({ architecture: 'unknown', positions: undefined, labels: undefined, padTokenId: undefined });
  });

  it("transformers.js' external data setting: true, a count, or per file", () => {
    expect(externalDataFiles(parseModelConfig({ 'transformers.js_config': { use_external_data_format: true } }), 'onnx/model.onnx'))
      .toEqual(['onnx/model.onnx_data']);
    const perFile = parseModelConfig({ 'transformers.js_config': { use_external_data_format: { 'model.onnx': 3, 'model_fp16.onnx': true } } });
    expect(externalDataFiles(perFile, 'onnx/model.onnx')).toEqual(['onnx/model.onnx_data', 'onnx/model.onnx_data_1', 'onnx/model.onnx_data_2']);
    expect(externalDataFiles(perFile, 'onnx/model_fp16.onnx')).toEqual(['onnx/model_fp16.onnx_data']);
    expect(externalDataFiles(perFile, 'onnx/model_q4.onnx')).toEqual([]);
    expect(externalDataFiles(parseModelConfig({}), 'onnx/model.onnx')).toEqual([]);
  });

  it('the compact embeddings key, and the storage it gives each dtype', () => {
    const config = parseModelConfig({ ...demoConfig(), embedding_quantization: COMPACT });
    expect(config.embeddingQuantization).toStrictEqual({
      dtypes: ['q4', 'q4f16'], bits: 4, blockSize: 32, symmetric: true, tables: COMPACT.tables, lookup: 'GatherBlockQuantized',
    });
    expect(embeddingStorage(config, 'q4')).toEqual({
      format: 'block-quantized', bits: 4, blockSize: 32, symmetric: true, tables: COMPACT.tables, lookup: 'GatherBlockQuantized',
    });
    expect(embeddingStorage(config, 'fp32')).toEqual({ format: 'as-file' });
    expect(embeddingStorage(parseModelConfig(demoConfig()), 'q4')).toEqual({ format: 'as-file' });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['vocab_size a string', { vocab_size: '2005' }, /config.json's vocab_size must be an integer ≥ 1, got "2005"/],
    ['a negative pad id', { pad_token_id: -1 }, /pad_token_id must be an integer ≥ 0/],
    ['architectures not a list', { architectures: 'Bert' }, /architectures must be a list of class names/],
    ['id2label a list', { id2label: ['a', 'b'] }, /id2label must be an object/],
    ['external data as text', { 'transformers.js_config': { use_external_data_format: 'yes' } }, /use_external_data_format must be true, false or a file count/],
    ['an unknown dtype in embedding_quantization', { embedding_quantization: { ...COMPACT, dtypes: ['q3'] } }, /embedding_quantization.dtypes must be a list of dtypes/],
    ['bits 0', { embedding_quantization: { ...COMPACT, bits: 0 } }, /embedding_quantization.bits must be an integer from 1 to 16/],
    ['no block size', { embedding_quantization: { ...COMPACT, block_size: undefined } }, /embedding_quantization.block_size must be a positive integer/],
  ];
  for (const [what, config, message] of bad) {
    it(`${what} → ModelLoadError`, () => {
      expect(() => parseModelConfig(config)).toThrow(expect.objectContaining({ name: 'ModelLoadError', message: expect.stringMatching(message) }));
    });
  }
});

describe('info.embeddings', () => {
  it('reports the embedding storage of the file that loaded', async () => {
    const files = demoFiles({ 'config.json': JSON.stringify({ ...demoConfig(), embedding_quantization: COMPACT }) });
    for (const [dtype, format] of [['q4', 'block-quantized'], ['fp32', 'as-file']] as const) {
      const reranker = await createReranker({ model: { files }, device: 'wasm', dtype });
      try {
        expect(reranker.info.embeddings.format, dtype).toBe(format);
      } finally {
        await reranker.dispose();
      }
    }
  }, 60_000);

  it('a config that does not parse fails the load with the key named', async () => {
    const files = demoFiles({ 'config.json': JSON.stringify({ ...demoConfig(), vocab_size: 'many' }) });
    await expect(createReranker({ model: { files }, device: 'wasm' }))
      .rejects.toMatchObject({ name: 'ModelLoadError', message: expect.stringMatching(/vocab_size must be an integer/) });
  });
});
