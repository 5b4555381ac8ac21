/**
 * The embedding table read in pieces. onnxruntime-web reads each external initializer with one `subarray` of its
 * whole byte range and copies it into its heap, so the largest weight is held twice at its peak: for the hub's q4f16
 * file that is the 512 MB fp16 word-embedding table, beside a heap that already holds most of the model. Here the
 * graph handed to onnxruntime looks the table up as row ranges instead: each range is an initializer of its own,
 * pointing at its rows in the same external data (no byte is moved or copied), and a token's row comes from the range
 * that holds it, selected with `Where`. Gather and Where copy values, so the embeddings, and every score, are
 * bit-identical to the single lookup's.
 *
 *   piece = input_ids / R;  row = input_ids − piece·R  (the last range: max(input_ids − its first row, 0))
 *   out   = Where(piece = 0, Gather(T₀, row), Where(piece = 1, Gather(T₁, row), … Gather(Tₘ₋₁, row′)))
 */
import { DATA_TYPE, externalTensor, findTableLookups, int64Tensor, nodeProto, rowBytes, type ExternalTable,
  type GraphNode, type TableLookup } from './table-lookups.ts';

/** The largest range read at once: the size of the model's next largest weights (fp32: the position table, 32 MiB). */
export const EMBEDDING_PIECE_BYTES = 32 * 1024 * 1024;
/** Past this many ranges the lookup would be more nodes than the model: such a table keeps its single lookup. */
const MAX_PIECES = 64;

export interface PiecedModel {
  graph: Uint8Array;
  /** The tables now read in pieces, with their piece counts. */
  tables: { name: string; pieces: number }[];
}

/**
 * The graph with every table that `input_ids` look up (table-lookups.ts) larger than `pieceBytes` read in ranges of
 * at most `pieceBytes`; null where there is none (onnxruntime then reads the graph as it is).
 *
 * @example
 * const split = splitInlineWeights(file)!; // the hub's model_q4f16.onnx, 700 MB
 * readTablesInPieces(split.graph)?.tables
 * // → [{ name: 'roberta.embeddings.word_embeddings.weight', pieces: 16 }]
 */
export function readTablesInPieces(model: Uint8Array, pieceBytes = EMBEDDING_PIECE_BYTES): PiecedModel | null {
  const graph = findTableLookups(model);
  if (!graph) return null;
  const plans = new Map<TableLookup, Range[]>();
  for (const lookup of graph.lookups) {
    const pieces = ranges(lookup.table, pieceBytes);
    // Rows larger than a piece would make one range a row: such a table is not one to split.
    if (lookup.table.length > pieceBytes && pieces.length <= MAX_PIECES) plans.set(lookup, pieces);
  }
  if (plans.size === 0) return null;
  return {
    graph: graph.rewrite([...plans.keys()], {
      node: (lookup) => lookupInPieces(lookup, plans.get(lookup)!),
      table: (lookup) => pieceTables(lookup, plans.get(lookup)!),
    }),
    tables: [...plans].map(([{ table }, pieces]) => ({ name: table.name, pieces: pieces.length })),
  };
}

/** A range of the table's rows: the first, and how many. */
interface Range {
  first: number;
  rows: number;
}

function ranges(table: ExternalTable, pieceBytes: number): Range[] {
  const perPiece = Math.max(1, Math.floor(pieceBytes / rowBytes(table)));
  const out: Range[] = [];
  for (let first = 0; first < table.dims[0]; first += perPiece) {
    out.push({ first, rows: Math.min(perPiece, table.dims[0] - first) });
  }
  return out;
}

/** Names of the new values: under the lookup's output, which is unique in the graph. */
const named = (node: GraphNode, suffix: string) => `${node.outputs[0]}/pieces/${suffix}`;

function pieceTables({ node, table }: TableLookup, pieces: Range[]): Uint8Array[] {
  const bytes = rowBytes(table);
  return [
    ...pieces.map(({ first, rows }, p) => externalTensor(named(node, `table${p}`), table.dataType,
      [rows, ...table.dims.slice(1)], { location: table.location, offset: table.offset + first * bytes, length: rows * bytes })),
    ...lookupConstants(node, pieces).map(([name, dims, values]) => int64Tensor(name, dims, values)),
  ];
}

function lookupConstants(node: GraphNode, pieces: Range[]): [string, number[], number[]][] {
  return [
    [named(node, 'rows_per_piece'), [], [pieces[0].rows]],
    [named(node, 'last_start'), [], [pieces.at(-1)!.first]],
    [named(node, 'zero'), [], [0]],
    [named(node, 'last_axis'), [1], [-1]],
    ...pieces.slice(0, -1).map((_, p): [string, number[], number[]] => [named(node, `piece${p}_index`), [], [p]]),
  ];
}

function lookupInPieces({ node, table }: TableLookup, pieces: Range[]): Uint8Array[] {
  const ids = node.inputs[1];
  const n = (suffix: string) => named(node, suffix);
  const out: Uint8Array[] = [
    nodeProto('Div', [ids, n('rows_per_piece')], [n('piece')], n('Div')),
    nodeProto('Mul', [n('piece'), n('rows_per_piece')], [n('piece_start')], n('Mul')),
    nodeProto('Sub', [ids, n('piece_start')], [n('row')], n('Sub')),
    // The last range's rows from its own start, not clamped: a token past the table still fails as the single
    // lookup does (wasm names the index; the loader checks the tokenizer against the table before any run).
    nodeProto('Sub', [ids, n('last_start')], [n('from_last_start')], n('SubLast')),
    nodeProto('Max', [n('from_last_start'), n('zero')], [n('last_piece_row')], n('Max')),
  ];
  const last = pieces.length - 1;
  // wasm has no fp16 Where: onnxruntime would cast around it, and fold that cast back into the tables (fp32 copies,
  // twice their size). Selecting fp32 copies of the rows, then casting the selection back, is exact and moves nothing.
  const viaFloat = table.dataType === DATA_TYPE.float16;
  for (const [p] of pieces.entries()) {
    const rows = p === last ? n('last_piece_row') : n('row');
    out.push(nodeProto('Gather', [n(`table${p}`), rows], [n(`rows${p}`)], n(`Gather${p}`)));
    if (viaFloat) out.push(nodeProto('Cast', [n(`rows${p}`)], [n(`rows${p}_float`)], n(`Cast${p}`), { to: DATA_TYPE.float }));
  }
  const rowsOf = (p: number) => (viaFloat ? n(`rows${p}_float`) : n(`rows${p}`));
  // From the last range back: each earlier range overrides the rows it holds.
  let selected = rowsOf(last);
  for (let p = last - 1; p >= 0; p--) {
    out.push(nodeProto('Equal', [n('piece'), n(`piece${p}_index`)], [n(`in_piece${p}`)], n(`Equal${p}`)));
    out.push(nodeProto('Unsqueeze', [n(`in_piece${p}`), n('last_axis')], [n(`in_piece${p}_column`)], n(`Unsqueeze${p}`)));
    const result = p === 0 && !viaFloat ? node.outputs[0] : n(`selected${p}`);
    out.push(nodeProto('Where', [n(`in_piece${p}_column`), rowsOf(p), selected], [result], n(`Where${p}`)));
    selected = result;
  }
  if (viaFloat) out.push(nodeProto('Cast', [selected], [node.outputs[0]], n('CastBack'), { to: DATA_TYPE.float16 }));
  return out;
}

