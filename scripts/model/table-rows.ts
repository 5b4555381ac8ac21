/**
 * A 2-D weight read a few thousand rows at a time: the exporter reads the 250002 × 1024 word table (1 GB in float32)
 * this way from the checkpoint, so no dtype's file needs the float32 table whole (the generator's tables are in memory
 * and are read as views).
 */

/** Rows [first, first + count) of a table, as float32 values read now. */
export type RowReader = (first: number, count: number) => Float32Array;

export interface TableSource {
  rows: number;
  cols: number;
  read: RowReader;
}

/** Rows per read: 16 MB of float32 at 1024 columns. */
export const ROWS_PER_READ = 4096;

/** The rows of a table held in memory (views, no copy). */
export function wholeTableRows(table: Float32Array, cols: number): RowReader {
  return (first, count) => table.subarray(first * cols, (first + count) * cols);
}

/** A table held in memory as a source; a flat tensor is one row. */
export function tableInMemory(table: Float32Array, rows = 1, cols = table.length): TableSource {
  if (table.length !== rows * cols) throw new RangeError(`a ${rows}×${cols} table has ${rows * cols} values, not ${table.length}`);
  return { rows, cols, read: wholeTableRows(table, cols) };
}

/** Calls `visit` with each read's values and the index of its first value in the whole table, in order. */
export function forEachRowBlock(table: TableSource, visit: (values: Float32Array, firstValue: number) => void): void {
  for (let first = 0; first < table.rows; first += ROWS_PER_READ) {
    visit(table.read(first, Math.min(ROWS_PER_READ, table.rows - first)), first * table.cols);
  }
}

/** The whole table as one array (a float32 initializer is written whole anyway). */
export function readWholeTable(table: TableSource): Float32Array {
  return table.read(0, table.rows);
}
