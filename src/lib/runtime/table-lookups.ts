/**
 * The token lookups of an ONNX graph: each `Gather` on axis 0 of an external initializer (a table whose bytes lie in
 * external data, as every large weight does once inline-weights.ts has split the file) by the graph input
 * `input_ids`. Two rewrites of those lookups share this reader and writer: embedding-pieces.ts (a table read a range
 * of rows at a time) and reference-rows.ts (the self-check's reference keeps only the rows its pairs use). A minimal
 * protobuf walk and writer: weights are located, never copied.
 */
import { concatBytes, fields, fieldText, lengthDelimited, utf8, varint, varintField, WIRE, type Field } from './protobuf-fields.ts';

/** onnx.proto field numbers. */
const MODEL = { graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, i: 3, type: 20 } as const;
const ATTRIBUTE_INT = 2;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const ENTRY = { key: 1, value: 2 } as const;
const EXTERNAL = 1;
/** TensorProto.DataType values. */
export const DATA_TYPE = { float: 1, int32: 6, int64: 7, float16: 10 } as const;
/** Unsqueeze takes its axes as an input from opset 13 on: older graphs are left as they are. */
const MIN_OPSET = 13;

export interface GraphNode {
  field: Field;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Gather's axis attribute, where given. */
  axis?: number;
}

export interface ExternalTable {
  field: Field;
  name: string;
  dims: number[];
  dataType: number;
  /** Where its bytes lie: the external data file's name as the graph gives it, and the range in that file. */
  location: string;
  offset: number;
  length: number;
}

/** Bytes of one row (whole rows: the lookups found divide evenly). */
export const rowBytes = (table: ExternalTable) => table.length / table.dims[0];

export interface TableLookup {
  node: GraphNode;
  table: ExternalTable;
}

/** A rewrite: what each lookup's node and its table become, as NodeProto and TensorProto bodies, in their places. */
export interface LookupRewrite {
  node: (lookup: TableLookup) => Uint8Array[];
  table: (lookup: TableLookup) => Uint8Array[];
}

export interface LookupGraph {
  lookups: TableLookup[];
  /** The model with `lookups` (a subset of this graph's) rewritten; everything else as it was, byte for byte. */
  rewrite(chosen: readonly TableLookup[], rewrite: LookupRewrite): Uint8Array;
}

/**
 * The graph's lookups of a table by `input_ids` that can be rewritten: the table external, used by that node alone,
 * not a graph input, whole rows; null where the bytes are not a graph this reader walks or the opset is below 13.
 *
 * @example
 * findTableLookups(splitInlineWeights(file)!.graph)?.lookups.map((l) => l.table.name)
 * // → ['roberta.embeddings.word_embeddings.weight']
 */
export function findTableLookups(model: Uint8Array): LookupGraph | null {
  try {
    const top = [...fields(model, 0, model.length)];
    const graph = top.find((f) => f.number === MODEL.graph && f.wire === WIRE.bytes);
    if (!graph || defaultOpset(model, top) < MIN_OPSET) return null;
    const graphFields = [...fields(model, graph.start, graph.end)];
    const nodes = graphFields.filter((f) => f.number === GRAPH.node && f.wire === WIRE.bytes).map((f) => readNode(model, f));
    const graphInputs = new Set(graphFields.filter((f) => f.number === GRAPH.input && f.wire === WIRE.bytes)
      .map((f) => valueInfoName(model, f)));
    const uses = new Map<string, number>();
    for (const node of nodes) for (const input of node.inputs) uses.set(input, (uses.get(input) ?? 0) + 1);
    const tables = new Map<string, ExternalTable>();
    for (const f of graphFields) {
      if (f.number !== GRAPH.initializer || f.wire !== WIRE.bytes) continue;
      const table = readExternalTable(model, f);
      if (table) tables.set(table.name, table);
    }
    const lookups: TableLookup[] = [];
    for (const node of nodes) {
      const table = tables.get(node.inputs[0]);
      if (node.op !== 'Gather' || node.domain !== '' || node.inputs[1] !== 'input_ids' || (node.axis ?? 0) !== 0) continue;
      if (!table || uses.get(table.name) !== 1 || graphInputs.has(table.name)) continue;
      if (table.dims.length < 1 || table.dims[0] < 1 || table.length % table.dims[0] !== 0) continue;
      lookups.push({ node, table });
    }
    const rewrite = (chosen: readonly TableLookup[], { node, table }: LookupRewrite) => {
      const byNode = new Map(chosen.map((l) => [l.node.field, l]));
      const byTable = new Map(chosen.map((l) => [l.table.field, l]));
      const parts = graphFields.map((f) => {
        const lookup = byNode.get(f);
        if (lookup) return concatBytes(node(lookup).map((n) => lengthDelimited(GRAPH.node, n)));
        const owner = byTable.get(f);
        if (owner) return concatBytes(table(owner).map((t) => lengthDelimited(GRAPH.initializer, t)));
        return model.subarray(f.keyStart, f.end);
      });
      const graphBytes = concatBytes(parts);
      return concatBytes(top.map((f) => (f === graph ? lengthDelimited(MODEL.graph, graphBytes) : model.subarray(f.keyStart, f.end))));
    };
    return { lookups, rewrite };
  } catch {
    return null;
  }
}

function defaultOpset(model: Uint8Array, top: Field[]): number {
  for (const f of top) {
    if (f.number !== MODEL.opsetImport || f.wire !== WIRE.bytes) continue;
    let domain = '';
    let version = 0;
    for (const o of fields(model, f.start, f.end)) {
      if (o.number === OPSET.domain && o.wire === WIRE.bytes) domain = fieldText(model, o);
      if (o.number === OPSET.version && o.wire === WIRE.varint) version = o.value;
    }
    if (domain === '' || domain === 'ai.onnx') return version;
  }
  return 0;
}

function readNode(model: Uint8Array, field: Field): GraphNode {
  const node: GraphNode = { field, op: '', domain: '', inputs: [], outputs: [] };
  for (const f of fields(model, field.start, field.end)) {
    if (f.wire !== WIRE.bytes) continue;
    if (f.number === NODE.opType) node.op = fieldText(model, f);
    else if (f.number === NODE.domain) node.domain = fieldText(model, f);
    else if (f.number === NODE.input) node.inputs.push(fieldText(model, f));
    else if (f.number === NODE.output) node.outputs.push(fieldText(model, f));
    else if (f.number === NODE.attribute) {
      let name = '';
      let value: number | undefined;
      for (const a of fields(model, f.start, f.end)) {
        if (a.number === ATTRIBUTE.name && a.wire === WIRE.bytes) name = fieldText(model, a);
        if (a.number === ATTRIBUTE.i && a.wire === WIRE.varint) value = a.value; // a negative axis reads as > 2⁵³: not 0
      }
      if (name === 'axis' && value !== undefined) node.axis = value;
    }
  }
  return node;
}

/** ValueInfoProto.name is field 1. */
function valueInfoName(model: Uint8Array, field: Field): string {
  const name = [...fields(model, field.start, field.end)].find((f) => f.number === 1 && f.wire === WIRE.bytes);
  return name ? fieldText(model, name) : '';
}

function readExternalTable(model: Uint8Array, field: Field): ExternalTable | null {
  let name = '';
  let dataType = 0;
  let external = false;
  const dims: number[] = [];
  const entries = new Map<string, string>();
  for (const f of fields(model, field.start, field.end)) {
    if (f.number === TENSOR.name && f.wire === WIRE.bytes) name = fieldText(model, f);
    else if (f.number === TENSOR.dataType && f.wire === WIRE.varint) dataType = f.value;
    else if (f.number === TENSOR.dataLocation && f.wire === WIRE.varint) external = f.value === EXTERNAL;
    else if (f.number === TENSOR.dims && f.wire === WIRE.varint) dims.push(f.value);
    else if (f.number === TENSOR.dims && f.wire === WIRE.bytes) {
      for (let at = f.start; at < f.end;) {
        const [dim, next] = varint(model, at);
        dims.push(dim);
        at = next;
      }
    } else if (f.number === TENSOR.externalData && f.wire === WIRE.bytes) {
      let key = '';
      let value = '';
      for (const e of fields(model, f.start, f.end)) {
        if (e.number === ENTRY.key && e.wire === WIRE.bytes) key = fieldText(model, e);
        if (e.number === ENTRY.value && e.wire === WIRE.bytes) value = fieldText(model, e);
      }
      entries.set(key, value);
    }
  }
  const location = entries.get('location');
  const length = Number(entries.get('length'));
  // Only what says where its bytes are: a table without a length is left as it is.
  if (!external || !location || !Number.isSafeInteger(length) || length <= 0) return null;
  const offset = Number(entries.get('offset') ?? 0);
  if (!Number.isSafeInteger(offset) || offset < 0) return null;
  return { field, name, dims, dataType, location, offset, length };
}

export function nodeProto(op: string, inputs: string[], outputs: string[], name: string, ints: Record<string, number> = {}): Uint8Array {
  return concatBytes([
    ...inputs.map((i) => lengthDelimited(NODE.input, utf8(i))),
    ...outputs.map((o) => lengthDelimited(NODE.output, utf8(o))),
    lengthDelimited(NODE.name, utf8(name)),
    lengthDelimited(NODE.opType, utf8(op)),
    ...Object.entries(ints).map(([key, value]) => lengthDelimited(NODE.attribute, concatBytes([
      lengthDelimited(ATTRIBUTE.name, utf8(key)), varintField(ATTRIBUTE.i, value), varintField(ATTRIBUTE.type, ATTRIBUTE_INT),
    ]))),
  ]);
}

/** Where an external tensor's bytes lie, as a TensorProto writes it: its external_data entries and data_location. */
export function externalDataFields(at: { location: string; offset: number; length: number }): Uint8Array {
  return concatBytes([
    ...Object.entries(at).map(([key, value]) => lengthDelimited(TENSOR.externalData,
      concatBytes([lengthDelimited(ENTRY.key, utf8(key)), lengthDelimited(ENTRY.value, utf8(String(value)))]))),
    varintField(TENSOR.dataLocation, EXTERNAL),
  ]);
}

/** An initializer whose bytes lie in external data. */
export function externalTensor(name: string, dataType: number, dims: number[], at: { location: string; offset: number; length: number }): Uint8Array {
  return concatBytes([
    ...dims.map((d) => varintField(TENSOR.dims, d)),
    varintField(TENSOR.dataType, dataType),
    lengthDelimited(TENSOR.name, utf8(name)),
    externalDataFields(at),
  ]);
}

export function int64Tensor(name: string, dims: number[], values: number[]): Uint8Array {
  const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
  return concatBytes([
    ...dims.map((d) => varintField(TENSOR.dims, d)),
    varintField(TENSOR.dataType, DATA_TYPE.int64),
    lengthDelimited(TENSOR.name, utf8(name)),
    lengthDelimited(TENSOR.rawData, raw),
  ]);
}
