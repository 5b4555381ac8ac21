/**
 * The self-check's reference with only the embedding rows its pairs use. The reference scores five fixed pairs,
 * about a hundred distinct tokens of a 250,002-row vocabulary, yet a whole session holds the whole word-embedding
 * table (256 MB of a 594 MB q8 file; 512 MB of the q4f16 one). Here each table that `input_ids` look up (table-lookups.ts)
 * is replaced by the rows those tokens index, and the lookup by two: the token's position among the kept rows (an
 * int32 table of the vocabulary's size), then that row. Both are Gathers, which copy values: the reference's logits
 * are the whole model's, bit for bit, for every row made of those tokens.
 */
import { splitInlineWeights } from './inline-weights.ts';
import { DATA_TYPE, externalTensor, findTableLookups, nodeProto, rowBytes, type TableLookup } from './table-lookups.ts';
import { isOnDemand } from '../files/on-demand-bytes.ts';
import type { ExternalDataFile } from './session.ts';

/** The external data file the kept rows and the index tables are given to onnxruntime under. */
export const REFERENCE_ROWS_PATH = 'reference-rows.bin';

export interface KeptRows {
  graph: Uint8Array;
  external: ExternalDataFile[];
  /** The tables cut down, with the rows kept of each. */
  tables: { name: string; rows: number; of: number }[];
}

/** onnxruntime-web names external data files as the graph does, less a leading "./". */
const fileName = (path: string) => path.replace(/^\.\//, '');

/**
 * The model (graph and external data, as a session takes them) with its token tables cut to the rows of `ids`; null
 * where it has no table this can cut, or an id is past a table (the whole model then runs).
 *
 * @example
 * const kept = keepRows(file, [], new Set([0, 2, 6, 3293]))!; // the hub's model_quantized.onnx
 * kept.tables // → [{ name: 'roberta.embeddings.word_embeddings.weight_quantized', rows: 4, of: 250002 }]
 */
export function keepRows(model: Uint8Array, externalData: readonly ExternalDataFile[], ids: ReadonlySet<number>): KeptRows | null {
  const split = splitInlineWeights(model);
  const graph = split?.graph ?? (isOnDemand(model) ? model.slice() : model);
  const files = split ? [...externalData, split.weights] : [...externalData];
  const found = findTableLookups(graph);
  const kept = [...ids].sort((a, b) => a - b);
  if (!found?.lookups.length || kept.length === 0 || kept[0] < 0) return null;
  if (found.lookups.some(({ table }) => kept.at(-1)! >= table.dims[0])) return null;
  const source = (location: string) => files.find((f) => fileName(f.path) === fileName(location))?.data;
  if (found.lookups.some(({ table }) => !source(table.location))) return null;

  // One file: per table its kept rows, then each token's position among them (0 for the rest: never asked for).
  const parts: Uint8Array[] = [];
  let size = 0;
  const placed = new Map<TableLookup, { rowsAt: number; rowsLength: number; indexAt: number }>();
  for (const lookup of found.lookups) {
    const { table } = lookup;
    const width = rowBytes(table);
    const data = source(table.location)!;
    const rows = new Uint8Array(kept.length * width);
    kept.forEach((id, i) => rows.set(data.subarray(table.offset + id * width, table.offset + (id + 1) * width), i * width));
    const index = new Int32Array(table.dims[0]);
    kept.forEach((id, i) => (index[id] = i));
    placed.set(lookup, { rowsAt: size, rowsLength: rows.byteLength, indexAt: size + rows.byteLength });
    parts.push(rows, new Uint8Array(index.buffer));
    size += rows.byteLength + index.byteLength;
  }
  const bytes = new Uint8Array(size);
  parts.reduce((at, part) => (bytes.set(part, at), at + part.byteLength), 0);

  const names = (lookup: TableLookup) => {
    const base = `${lookup.node.outputs[0]}/reference_rows`;
    return { rows: `${base}/table`, index: `${base}/index`, position: `${base}/position` };
  };
  const rewritten = found.rewrite(found.lookups, {
    node: (lookup) => {
      const n = names(lookup);
      return [
        nodeProto('Gather', [n.index, lookup.node.inputs[1]], [n.position], `${n.position}/Gather`),
        nodeProto('Gather', [n.rows, n.position], [lookup.node.outputs[0]], `${n.rows}/Gather`),
      ];
    },
    table: (lookup) => {
      const n = names(lookup);
      const { table } = lookup;
      const at = placed.get(lookup)!;
      return [
        externalTensor(n.rows, table.dataType, [kept.length, ...table.dims.slice(1)],
          { location: REFERENCE_ROWS_PATH, offset: at.rowsAt, length: at.rowsLength }),
        externalTensor(n.index, DATA_TYPE.int32, [table.dims[0]],
          { location: REFERENCE_ROWS_PATH, offset: at.indexAt, length: table.dims[0] * 4 }),
      ];
    },
  });
  return {
    graph: rewritten,
    external: [...files, { path: REFERENCE_ROWS_PATH, data: bytes }],
    tables: found.lookups.map(({ table }) => ({ name: table.name, rows: kept.length, of: table.dims[0] })),
  };
}
