import { Rng } from './rng.ts';
import { ARCH_CONSTANTS, type Arch, type ModelDims } from './presets.ts';

/**
 * Everything that decides the weight set: the dimensions (the vocabulary size is known once the tokenizer is built),
 * the architecture, and the classifier's output count.
 */
export type ResolvedDims = Omit<ModelDims, 'vocab'> & { vocab: number; arch: Arch; labels: number };

/** How a tensor's values are drawn: normal(mean, std). */
interface Init {
  mean: number;
  std: number;
}

/** One weight of `XLMRobertaForSequenceClassification` or `BertForSequenceClassification`, named and shaped as in
 * Hugging Face's checkpoints. */
export interface WeightSpec {
  name: string;
  /** Hugging Face layout: linear weights are [out, in]. */
  shape: number[];
  init: Init;
}

/**
 * Scales are chosen so activations stay near unit variance through every layer and the logits of different pairs
 * differ by whole units: Hugging Face's own init (std 0.02) would give near-identical scores for every pair, which
 * makes ranking and tolerance tests meaningless.
 */
export function weightSpecs(d: ResolvedDims): WeightSpec[] {
  const specs: WeightSpec[] = [];
  const linear = (prefix: string, out: number, inp: number, gain = 1) => {
    specs.push({ name: `${prefix}.weight`, shape: [out, inp], init: { mean: 0, std: gain / Math.sqrt(inp) } });
    specs.push({ name: `${prefix}.bias`, shape: [out], init: { mean: 0, std: 0.1 } });
  };
  const layerNorm = (prefix: string) => {
    specs.push({ name: `${prefix}.weight`, shape: [d.hidden], init: { mean: 1, std: 0.1 } });
    specs.push({ name: `${prefix}.bias`, shape: [d.hidden], init: { mean: 0, std: 0.1 } });
  };

  // The two architectures share everything up to the last encoder layer, under their own prefix.
  const e = `${ARCH_CONSTANTS[d.arch].prefix}.embeddings`;
  specs.push({ name: `${e}.word_embeddings.weight`, shape: [d.vocab, d.hidden], init: { mean: 0, std: 1 } });
  specs.push({ name: `${e}.position_embeddings.weight`, shape: [d.maxPositions, d.hidden], init: { mean: 0, std: 0.5 } });
  specs.push({ name: `${e}.token_type_embeddings.weight`, shape: [d.typeVocab, d.hidden], init: { mean: 0, std: 0.5 } });
  layerNorm(`${e}.LayerNorm`);
  for (let i = 0; i < d.layers; i++) {
    const p = `${ARCH_CONSTANTS[d.arch].prefix}.encoder.layer.${i}`;
    linear(`${p}.attention.self.query`, d.hidden, d.hidden);
    linear(`${p}.attention.self.key`, d.hidden, d.hidden);
    linear(`${p}.attention.self.value`, d.hidden, d.hidden);
    linear(`${p}.attention.output.dense`, d.hidden, d.hidden);
    layerNorm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, d.intermediate, d.hidden);
    linear(`${p}.output.dense`, d.hidden, d.intermediate);
    layerNorm(`${p}.output.LayerNorm`);
  }
  // Heads: XLM-R's classifier.dense + tanh + out_proj; BERT's pooler.dense + tanh, then classifier.
  if (d.arch === 'bert') {
    linear('bert.pooler.dense', d.hidden, d.hidden);
    linear('classifier', d.labels, d.hidden, 2);
  } else {
    linear('classifier.dense', d.hidden, d.hidden);
    linear('classifier.out_proj', d.labels, d.hidden, 2);
  }
  return specs;
}

/** A tensor's values: the same (seed, name) always gives the same numbers, whatever else is generated. */
export function generateWeight(spec: WeightSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  return Rng.forTensor(seed, spec.name).fillNormal(new Float32Array(size), spec.init.mean, spec.init.std);
}

/**
 * What the graph builders and the writer read: one model's weights by Hugging Face name, one tensor at a time.
 * Generated ({@link WeightSource}) or read from a checkpoint (hf-weights.ts, for `npm run export`).
 */
export interface ModelWeights {
  readonly dims: ResolvedDims;
  readonly specs: WeightSpec[];
  /** The generator's seed, written into the ONNX metadata; undefined for weights that were not generated. */
  readonly seed: number | undefined;
  spec(name: string): WeightSpec;
  get(name: string): Float32Array;
  /**
   * Rows [first, first + count) of a 2-D weight, read now, where the source can read part of a tensor (a checkpoint
   * on disk): the exporter quantises the embedding tables block by block instead of holding them whole.
   */
  rows?(name: string, first: number, count: number): Float32Array;
}

/** Weights by name, generated on each request so that only the tensor being written is held in memory. */
export class WeightSource implements ModelWeights {
  readonly specs: WeightSpec[];
  private readonly byName: Map<string, WeightSpec>;

  /**
   * @param zeros skip drawing values (every tensor is 0): for inspecting the graph and file layout of the full-size
   *   model without spending a minute on random numbers.
   */
  constructor(
    readonly dims: ResolvedDims,
    readonly seed: number,
    private readonly zeros = false,
  ) {
    this.specs = weightSpecs(dims);
    this.byName = new Map(this.specs.map((s) => [s.name, s]));
  }

  spec(name: string): WeightSpec {
    const spec = this.byName.get(name);
    if (!spec) throw new Error(`no weight named ${name}`);
    return spec;
  }

  get(name: string): Float32Array {
    const spec = this.spec(name);
    if (this.zeros) return new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    return generateWeight(spec, this.seed);
  }

  parameterCount(): number {
    return this.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  }
}

/** Hugging Face stores linear weights [out, in]; ONNX MatMul wants [in, out]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}
