/**
 * The generator's full preset graph (built on zero weights and never run), and its determinism: the same arguments give
 * byte-identical files, equal to the committed demo model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_MODEL_DIR } from '../helpers/models.ts';
import { decodeModel } from '../../scripts/model/onnx-proto.ts';
import { buildXlmrGraph, OPSET, type InitializerSink } from '../../scripts/model/graph.ts';
import { initializerBytes, onnxModelBytes, resolveDims, makeModel } from '../../scripts/model/write-model.ts';
import { WeightSource } from '../../scripts/model/weights.ts';
import { DEMO_MODEL } from '../../scripts/model/demo.ts';
import { DTYPES } from '../../scripts/model/presets.ts';

describe('the full preset graph', () => {
  it('has 24 layers, hidden 1024, 16 heads, FFN 4096, vocab 250002 and 8194 positions, with external data', () => {
    // Weights are all zero here: the graph and the file layout do not depend on the values, and drawing 568M
    // random numbers would take a minute. External bytes are counted, not written.
    const dims = resolveDims('full', 250002);
    const weights = new WeightSource(dims, 1, true);
    let externalBytes = 0;
    const countingSink: InitializerSink = {
      place: (_name, bytes) => {
        externalBytes += bytes.byteLength;
        return [{ key: 'location', value: 'model.onnx_data' }];
      },
    };
    const model = decodeModel(onnxModelBytes(weights, 'fp32', countingSink));
    expect(model.opsetImport[0].version).toBe(OPSET);
    const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
    expect(init.get('roberta.embeddings.word_embeddings.weight')?.dims).toEqual([250002, 1024]);
    expect(init.get('roberta.embeddings.position_embeddings.weight')?.dims).toEqual([8194, 1024]);
    expect(init.get('roberta.encoder.layer.23.intermediate.dense.weight.T')?.dims).toEqual([1024, 4096]);
    expect(init.has('roberta.encoder.layer.24.intermediate.dense.weight.T')).toBe(false);
    const layers = new Set(model.graph.node.map((n) => /layer\.(\d+)\//.exec(n.name)?.[1]).filter(Boolean));
    expect(layers.size).toBe(24);
    expect(init.get('split_heads_shape')).toBeDefined();
    expect(model.graph.node.filter((n) => n.opType === 'Softmax').length).toBe(24);
    expect(weights.parameterCount()).toBe(567_755_777);
    expect(externalBytes).toBeGreaterThan(2 ** 31); // the reason it must be external
    expect(model.graph.input.map((i) => i.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.output[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch_size' }, { dimValue: 1 }]);
  });

  it('builds the q8 graph with every weight MatMul quantised', () => {
    const weights = new WeightSource(resolveDims('full', 250002), 1, true);
    const graph = buildXlmrGraph(weights, 'q8', { place: () => undefined });
    expect(graph.nodes.filter((n) => n.opType === 'MatMulInteger').length).toBe(24 * 6 + 2);
    expect(graph.nodes.filter((n) => n.opType === 'MatMul').length).toBe(24 * 2); // QKᵀ and PV stay float
  });

  it('builds the q4 graph (MatMulNBits everywhere) and sizes each dtype\'s file: only fp32 needs external data', () => {
    const weights = new WeightSource(resolveDims('full', 250002), 1, true);
    let bytes = 0;
    const counting: InitializerSink = { place: (_name, b) => { bytes += b.byteLength; return [{ key: 'location', value: 'x' }]; } };
    const graph = buildXlmrGraph(weights, 'q4', counting);
    const nbits = graph.nodes.filter((n) => n.opType === 'MatMulNBits');
    expect(nbits.length).toBe(24 * 6 + 2);
    expect(nbits.find((n) => n.name === '/roberta/encoder/layer.23/output/dense/MatMul_Q4')?.attribute
      .map((a) => [a.name, a.i])).toEqual([['K', 4096], ['N', 1024], ['bits', 4], ['block_size', 32]]);
    expect(graph.nodes.filter((n) => n.opType === 'MatMul').length).toBe(24 * 2);
    // The estimate that decides external data matches what the graph holds (scalars aside), and is the published
    // export's size: q4 ≈ 1.25 GB with its float32 embedding table.
    expect(Math.abs(initializerBytes(weights, 'q4') - bytes)).toBeLessThan(4096);
    expect(initializerBytes(weights, 'q4') / 1e9).toBeCloseTo(1.25, 1);
    const limit = 2 ** 31 - 2 ** 26;
    expect(DTYPES.filter((d) => initializerBytes(weights, d) > limit)).toEqual(['fp32']);
  });
});

describe('determinism', () => {
  it('the same arguments give byte-identical files, equal to the committed demo model', () => {
    const dirs = [0, 1].map((i) => fs.mkdtempSync(path.join(os.tmpdir(), `make-model-${i}-`)));
    try {
      const reports = dirs.map((out) => makeModel({ ...DEMO_MODEL, out }));
      for (const f of reports[0].files) {
        const a = fs.readFileSync(path.join(dirs[0], f.path));
        const b = fs.readFileSync(path.join(dirs[1], f.path));
        const committed = fs.readFileSync(path.join(DEMO_MODEL_DIR, f.path));
        expect(a.equals(b), f.path).toBe(true);
        expect(a.equals(committed), `${f.path} is stale: run npm run make-demo-models`).toBe(true);
      }
      const otherSeed = fs.mkdtempSync(path.join(os.tmpdir(), 'make-model-seed-'));
      makeModel({ ...DEMO_MODEL, dtypes: ['fp32'], out: otherSeed, safetensors: false });
      const changed = makeModel({ ...DEMO_MODEL, seed: 7, dtypes: ['fp32'], out: otherSeed, safetensors: false });
      expect(changed.files.length).toBeGreaterThan(0);
      expect(fs.readFileSync(path.join(otherSeed, 'onnx/model.onnx')).equals(
        fs.readFileSync(path.join(dirs[0], 'onnx/model.onnx')))).toBe(false);
      fs.rmSync(otherSeed, { recursive: true });
    } finally {
      for (const d of dirs) fs.rmSync(d, { recursive: true });
    }
  });
});
