/**
 * Reads what the loader checks from an ONNX file's bytes without onnxruntime: the rows of the embedding tables that
 * `input_ids` index, i.e. the model's vocabulary as the graph has it. config.json can disagree with its own graph, and
 * on WebGPU a Gather past its table returns zeros silently, so the tokenizer is checked against the graph before any
 * run. A minimal protobuf walk: length-delimited fields (weights included) are skipped, never copied.
 */
import { ModelLoadError } from '../errors.ts';
import { fields, fieldText, varint, WIRE, type Field } from './protobuf-fields.ts';

/** onnx.proto field numbers: ModelProto.graph, GraphProto.node / initializer, NodeProto.input / op_type, TensorProto.dims / name. */
const FIELD = { modelGraph: 7, graphNode: 1, graphInitializer: 5, nodeInput: 1, nodeOpType: 4, tensorDims: 1, tensorName: 8 } as const;
/** The ops that look rows up by `input_ids` (GatherBlockQuantized: a compact export's 4-bit tables). */
const LOOKUPS: ReadonlySet<string> = new Set(['Gather', 'GatherBlockQuantized']);


function firstDim(bytes: Uint8Array, f: Field): number | undefined {
  if (f.wire === WIRE.varint) return f.value;
  return f.start < f.end ? varint(bytes, f.start)[0] : undefined; // packed dims
}

/**
 * The fewest rows among the tables that `input_ids` index in the graph (an initializer gathered by `input_ids`), or
 * undefined when the graph has none in that form (the check is then left to the warm-up run).
 *
 * @example
 * graphVocabulary(fs.readFileSync('public/models/tiny-random-bge-reranker/onnx/model.onnx')) // → 2005
 */
export function graphVocabulary(model: Uint8Array): number | undefined {
  try {
    const graph = [...fields(model, 0, model.length)].find((f) => f.number === FIELD.modelGraph && f.wire === WIRE.bytes);
    if (!graph) return undefined;
    const tables: string[] = [];
    const rows = new Map<string, number>();
    for (const f of fields(model, graph.start, graph.end)) {
      if (f.wire !== WIRE.bytes) continue;
      if (f.number === FIELD.graphNode) {
        let op = '';
        const inputs: string[] = [];
        for (const n of fields(model, f.start, f.end)) {
          if (n.number === FIELD.nodeOpType && n.wire === WIRE.bytes) op = fieldText(model, n);
          if (n.number === FIELD.nodeInput && n.wire === WIRE.bytes) inputs.push(fieldText(model, n));
        }
        if (LOOKUPS.has(op) && inputs[1] === 'input_ids') tables.push(inputs[0]);
      } else if (f.number === FIELD.graphInitializer) {
        let name = '';
        let dim: number | undefined;
        for (const t of fields(model, f.start, f.end)) {
          if (t.number === FIELD.tensorName && t.wire === WIRE.bytes) name = fieldText(model, t);
          if (t.number === FIELD.tensorDims && dim === undefined) dim = firstDim(model, t);
        }
        if (dim !== undefined) rows.set(name, dim);
      }
    }
    const sizes = tables.map((name) => rows.get(name)).filter((n): n is number => n !== undefined);
    return sizes.length > 0 ? Math.min(...sizes) : undefined;
  } catch {
    return undefined; // not a protobuf we can walk: onnxruntime will say what is wrong with it
  }
}

/** Throws a ModelLoadError when the tokenizer can emit an id past the graph's embedding table. */
export function checkTokenizerFitsGraph(model: Uint8Array, maxTokenId: number, file: string): void {
  const vocabulary = graphVocabulary(model);
  if (vocabulary !== undefined && maxTokenId >= vocabulary) {
    throw new ModelLoadError(`the tokenizer's token ${maxTokenId} is outside the model's vocabulary (${file} has ` +
      `${vocabulary} tokens): the tokenizer and the model belong to different models`);
  }
}
