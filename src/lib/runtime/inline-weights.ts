/**
 * An ONNX file whose weights are inside it (the hub's q8, fp16 and q4f16 files are) handed to onnxruntime as a small
 * graph whose large initializers point, as external data, into the file's own bytes. onnxruntime copies an inline
 * file into its wasm heap and parses every weight out of that copy before it builds its tensors (about three copies
 * of a 571 MB q8 file at once); external data it reads from the bytes it is given straight into each tensor (or, on
 * WebGPU, into its GPU buffer), so the file is held once by us and once by the session.
 */
import { concatBytes, fields, lengthDelimited, WIRE, type Field } from './protobuf-fields.ts';
import { externalDataFields } from './table-lookups.ts';

/** onnx.proto: ModelProto.graph, GraphProto.initializer, TensorProto.raw_data / external_data / data_location. */
const FIELD = { modelGraph: 7, graphInitializer: 5, rawData: 9, externalData: 13, dataLocation: 14 } as const;

/** The name the file's own bytes are given to onnxruntime under (a name no model folder uses). */
export const INLINE_WEIGHTS_PATH = 'inline-weights.bin';
/** Smaller initializers (shape constants, scalars) stay in the graph, where constant folding reads them. */
export const MIN_EXTERNAL_BYTES = 1024;

export interface SplitModel {
  /** The graph with every initializer of `MIN_EXTERNAL_BYTES` or more as external data. */
  graph: Uint8Array;
  /** The external data: the file's own bytes (not a copy), under `INLINE_WEIGHTS_PATH`. */
  weights: { path: string; data: Uint8Array };
  /** Initializers moved out of the graph. */
  moved: number;
}

/**
 * The model as graph + external data, or null where nothing would move (no inline initializer that large) or the
 * bytes are not a protobuf this reader walks (onnxruntime then reads them as they are, and says what is wrong).
 *
 * @example
 * const split = splitInlineWeights(fs.readFileSync('onnx/model_quantized.onnx'))
 * // → { graph: Uint8Array(212_345), weights: { path: 'inline-weights.bin', data: <the file> }, moved: 87 }
 */
export function splitInlineWeights(model: Uint8Array, minBytes = MIN_EXTERNAL_BYTES): SplitModel | null {
  try {
    const top = [...fields(model, 0, model.length)];
    const graph = top.find((f) => f.number === FIELD.modelGraph && f.wire === WIRE.bytes);
    if (!graph) return null;
    const graphParts: Uint8Array[] = [];
    let moved = 0;
    for (const f of fields(model, graph.start, graph.end)) {
      const tensor = f.number === FIELD.graphInitializer && f.wire === WIRE.bytes ? externalTensor(model, f, minBytes) : null;
      if (tensor) moved += 1;
      graphParts.push(tensor ? lengthDelimited(FIELD.graphInitializer, tensor) : model.subarray(f.keyStart, f.end));
    }
    if (moved === 0) return null;
    const modelParts = top.map((f) => (f === graph ? lengthDelimited(FIELD.modelGraph, concatBytes(graphParts))
      : model.subarray(f.keyStart, f.end)));
    return { graph: concatBytes(modelParts), weights: { path: INLINE_WEIGHTS_PATH, data: model }, moved };
  } catch {
    return null;
  }
}

/** The tensor with its raw_data replaced by a reference to where those bytes lie in the file; null to keep it. */
function externalTensor(model: Uint8Array, tensor: Field, minBytes: number): Uint8Array | null {
  const kept: Uint8Array[] = [];
  let raw: Field | null = null;
  for (const f of fields(model, tensor.start, tensor.end)) {
    if (f.number === FIELD.externalData || f.number === FIELD.dataLocation) return null; // already external
    if (f.number === FIELD.rawData && f.wire === WIRE.bytes) raw = f;
    else kept.push(model.subarray(f.keyStart, f.end));
  }
  if (!raw || raw.value < minBytes) return null;
  kept.push(externalDataFields({ location: INLINE_WEIGHTS_PATH, offset: raw.start, length: raw.value }));
  return concatBytes(kept);
}
