/** The vocabulary the ONNX graph's embedding table has, read from the file's bytes before any session exists. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTYPE_ORDER, DTYPES } from '../../src/lib/dtypes.ts';
import { checkTokenizerFitsGraph, graphVocabulary } from '../../src/lib/runtime/onnx-graph.ts';
import { DEMO_BERT_DIR } from '../helpers/bert.ts';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { DEMO_COMPACT_BERT_MODEL, DEMO_COMPACT_MODEL } from '../../scripts/model/demo.ts';
import { makeModel } from '../../scripts/model/write-model.ts';

const read = (dir: string, file: string) => new Uint8Array(fs.readFileSync(path.join(dir, file)));

describe('graphVocabulary', () => {
  for (const [name, dir, vocabulary] of [['XLM-R demo', DEMO_MODEL_DIR, 2005], ['BERT demo', DEMO_BERT_DIR, 2104]] as const) {
    it(`${name}: every dtype's file gives its config's vocab_size`, () => {
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { vocab_size: number };
      expect(config.vocab_size).toBe(vocabulary);
      for (const dtype of DTYPE_ORDER) expect(graphVocabulary(read(dir, DTYPES[dtype].file)), dtype).toBe(vocabulary);
    });
  }

  it("compact demo folders: 4-bit tables (packed rows and their scales, gathered by input_ids) keep the table's rows", () => {
    for (const [model, vocabulary] of [[DEMO_COMPACT_MODEL, 2005], [DEMO_COMPACT_BERT_MODEL, 2104]] as const) {
      for (const dtype of ['q4', 'q4f16'] as const) {
        expect(graphVocabulary(read(path.resolve(model.out), DTYPES[dtype].file)), `${model.out} ${dtype}`).toBe(vocabulary);
      }
    }
  });

  it('a compact table looked up by com.microsoft.GatherBlockQuantized', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gbq-'));
    try {
      makeModel({ preset: 'tiny', arch: 'bert', dtypes: ['q4'], seed: 3, out, safetensors: false, embeddings: 'q4',
        embeddingLookup: 'gather-block-quantized' });
      const model = read(out, DTYPES.q4.file);
      expect(new TextDecoder().decode(model)).toContain('GatherBlockQuantized');
      expect(graphVocabulary(model)).toBe(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).vocab_size);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('undefined for bytes it cannot walk (onnxruntime says what is wrong with them)', () => {
    expect(graphVocabulary(new TextEncoder().encode('not a model at all'))).toBeUndefined();
    expect(graphVocabulary(read(DEMO_MODEL_DIR, DTYPES.fp32.file).subarray(0, 5000))).toBeUndefined();
    expect(graphVocabulary(new Uint8Array())).toBeUndefined();
  });
});

describe('checkTokenizerFitsGraph', () => {
  it('passes ids inside the table and names the file and its size past it', () => {
    const model = read(DEMO_MODEL_DIR, DTYPES.q8.file);
    expect(() => checkTokenizerFitsGraph(model, 2004, DTYPES.q8.file)).not.toThrow();
    expect(() => checkTokenizerFitsGraph(model, 2005, DTYPES.q8.file)).toThrow(expect.objectContaining({
      name: 'ModelLoadError',
      message: "the tokenizer's token 2005 is outside the model's vocabulary (onnx/model_quantized.onnx has 2005 tokens): " +
        'the tokenizer and the model belong to different models',
    }));
  });
});
