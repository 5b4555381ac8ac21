/**
 * The embedding table read in ranges (src/lib/runtime/embedding-pieces.ts): a session whose graph looks its tables up
 * range by range gives the logits of the single lookup bit for bit, in every dtype of the committed tiny models (the
 * first and last rows of every range included); onnxruntime then reads no range of the table larger than a piece;
 * the ranges cover the table's bytes exactly; a token past the table still fails on wasm; and graphs that do not
 * qualify are left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTablesInPieces } from '../../src/lib/runtime/embedding-pieces.ts';
import { splitInlineWeights } from '../../src/lib/runtime/inline-weights.ts';
import { fields, WIRE } from '../../src/lib/runtime/protobuf-fields.ts';
import { ModelSession } from '../../src/lib/runtime/session.ts';
import { OnDemandBytes } from '../../src/lib/files/on-demand-bytes.ts';
import { DEMO_BERT_MODEL, DEMO_COMPACT_MODEL, DEMO_MODEL } from '../../scripts/model/demo.ts';
import type { TokenRow } from '../../src/lib/batching/padding.ts';

const PIECE = 64 * 1024;
const NO_PIECES = 2 ** 40;

interface Case {
  file: string;
  /** Rows of the tables, and the pieces each is read in at `PIECE` bytes. */
  vocabulary: number;
  pieces: { name: string; pieces: number }[];
  typeIds: boolean;
  padId?: number;
}

const word = (prefix: string, suffix = '') => `${prefix}.embeddings.word_embeddings.weight${suffix}`;
const XLMR = path.resolve(DEMO_MODEL.out, 'onnx');
const BERT = path.resolve(DEMO_BERT_MODEL.out, 'onnx');
const COMPACT = path.resolve(DEMO_COMPACT_MODEL.out, 'onnx');
// The tiny XLM-R: 2005 rows of 64 values (fp32 256 B a row: 256 rows a piece; fp16 128 B: 512; 8-bit 64 B: 1024).
const CASES: Case[] = [
  { file: path.join(XLMR, 'model.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta'), pieces: 8 }], typeIds: false },
  { file: path.join(XLMR, 'model_fp16.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta'), pieces: 4 }], typeIds: false },
  { file: path.join(XLMR, 'model_quantized.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta', '_quantized'), pieces: 2 }], typeIds: false },
  { file: path.join(XLMR, 'model_int8.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta', '_quantized'), pieces: 2 }], typeIds: false },
  { file: path.join(XLMR, 'model_uint8.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta', '_quantized'), pieces: 2 }], typeIds: false },
  { file: path.join(XLMR, 'model_q4.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta'), pieces: 8 }], typeIds: false },
  { file: path.join(XLMR, 'model_q4f16.onnx'), vocabulary: 2005, pieces: [{ name: word('roberta'), pieces: 4 }], typeIds: false },
  // The tiny BERT (token type ids, its pad is 0): 2104 rows.
  { file: path.join(BERT, 'model_fp16.onnx'), vocabulary: 2104, pieces: [{ name: word('bert'), pieces: 5 }], typeIds: true, padId: 0 },
  { file: path.join(BERT, 'model_quantized.onnx'), vocabulary: 2104, pieces: [{ name: word('bert', '_quantized'), pieces: 3 }], typeIds: true, padId: 0 },
];

function tokenRows(vocabulary: number, perPiece: number[], typeIds: boolean): TokenRow[] {
  // Every range's first and last row, the table's first and last, and a few between, spread over rows of 3 to 40.
  const ids = new Set<number>([0, 1, 2, 3, vocabulary - 1, vocabulary - 2]);
  for (const rows of perPiece) for (let start = 0; start < vocabulary; start += rows) ids.add(start).add(Math.max(0, start - 1));
  for (let i = 0; i < 40; i++) ids.add((i * 7919) % vocabulary);
  const all = [...ids].filter((id) => id >= 0 && id < vocabulary);
  const rows: TokenRow[] = [];
  for (let at = 0, width = 3; at < all.length; at += width, width = (width * 3) % 41 + 3) {
    const body = all.slice(at, at + width);
    const row = [0, ...body, 2];
    rows.push(typeIds ? { ids: row, typeIds: row.map(() => 0) } : { ids: row });
  }
  return rows;
}

/** The file as OnDemandBytes, with the largest read it was asked for. */
function onDemand(file: string) {
  const fd = fs.openSync(file, 'r');
  const reads: number[] = [];
  const bytes = new OnDemandBytes(fs.fstatSync(fd).size, (start, end) => {
    const out = new Uint8Array(end - start);
    fs.readSync(fd, out, 0, out.byteLength, start);
    reads.push(end - start);
    return out;
  });
  opened.push(fd);
  return { bytes, reads };
}
const opened: number[] = [];
const sessions: ModelSession[] = [];
afterEach(async () => {
  opened.splice(0).forEach((fd) => fs.closeSync(fd));
  await Promise.all(sessions.splice(0).map((s) => s.dispose()));
});

async function logits(session: ModelSession, rows: TokenRow[], padId = 1): Promise<number[]> {
  sessions.push(session);
  const out: number[] = [];
  for (const row of rows) out.push(...(await session.run([row], padId)));
  out.push(...(await session.run(rows, padId))); // and all at once, padded
  return out;
}

describe('an embedding table read in ranges', () => {
  it.each(CASES)('gives the single lookup\'s logits bit for bit: $file', async ({ file, vocabulary, pieces, typeIds, padId }) => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const split = splitInlineWeights(bytes)!;
    const rowBytes = (name: string) => tableBytes(split.graph, name) / vocabulary;
    const perPiece = pieces.map(({ name }) => Math.floor(PIECE / rowBytes(name)));
    const rows = tokenRows(vocabulary, perPiece, typeIds);
    const whole = await ModelSession.create(bytes, 'wasm', { embeddingPieceBytes: NO_PIECES });
    const pieced = await ModelSession.create(bytes, 'wasm', { embeddingPieceBytes: PIECE });
    expect(whole.tablesInPieces).toEqual([]);
    expect(pieced.tablesInPieces).toEqual(pieces);
    const expected = await logits(whole, rows, padId);
    expect(expected.every(Number.isFinite)).toBe(true);
    expect(await logits(pieced, rows, padId)).toEqual(expected);
  });

  it('is read by onnxruntime a range at a time: no read of the table larger than a piece', async () => {
    const file = path.join(XLMR, 'model.onnx'); // the table, 513,280 bytes, is the file's largest weight
    const whole = onDemand(file);
    sessions.push(await ModelSession.create(whole.bytes, 'wasm', { embeddingPieceBytes: NO_PIECES }));
    const pieced = onDemand(file);
    sessions.push(await ModelSession.create(pieced.bytes, 'wasm', { embeddingPieceBytes: PIECE }));
    const table = 2005 * 64 * 4;
    expect(Math.max(...whole.reads)).toBe(table);
    expect(pieced.reads).not.toContain(table);
    // The largest read is now the next largest weight (the position table, 514 rows): the table's are pieces.
    const nextLargest = Math.max(...whole.reads.filter((n) => n !== table));
    expect(nextLargest).toBeGreaterThan(PIECE);
    expect(Math.max(...pieced.reads)).toBe(nextLargest);
    expect(pieced.reads.filter((n) => n !== nextLargest).every((n) => n <= PIECE)).toBe(true);
  });

  it('points each range at its rows of the same bytes: contiguous, in order, covering the table', () => {
    const split = splitInlineWeights(new Uint8Array(fs.readFileSync(path.join(XLMR, 'model_fp16.onnx'))))!;
    const table = externalOf(split.graph, word('roberta'))!;
    const pieced = readTablesInPieces(split.graph, PIECE)!;
    const ranges = [...initializers(pieced.graph)].filter((t) => t.name.includes('/pieces/table'))
      .map((t) => ({ ...externalOf(pieced.graph, t.name)!, dims: t.dims }));
    expect(ranges.map((r) => r.dims)).toEqual([[512, 64], [512, 64], [512, 64], [469, 64]]);
    expect(ranges.every((r) => r.location === table.location)).toBe(true);
    let at = table.offset;
    for (const r of ranges) {
      expect(r.offset).toBe(at);
      at += r.length;
    }
    expect(at).toBe(table.offset + table.length);
    expect(externalOf(pieced.graph, word('roberta'))).toBeNull(); // the whole table is no longer in the graph
  });

  it('keeps a token past the table an error on wasm, as the single lookup does', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(XLMR, 'model.onnx')));
    const pieced = await ModelSession.create(bytes, 'wasm', { embeddingPieceBytes: PIECE });
    sessions.push(pieced);
    await expect(pieced.run([{ ids: [0, 2005, 2] }], 1)).rejects.toThrow(/out of|bounds|indices/i);
    await expect(pieced.run([{ ids: [0, 9000, 2] }], 1)).rejects.toThrow(/out of|bounds|indices/i);
  });

  it('splits both tables of a compact export (packed 4-bit rows and their scales)', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(COMPACT, 'model_q4.onnx')));
    const split = splitInlineWeights(bytes)!;
    const pieced = readTablesInPieces(split.graph, 8 * 1024)!;
    // 2005 rows of 32 packed bytes (256 rows a piece) and of two fp32 scales (1024 rows a piece).
    expect(pieced.tables).toEqual([{ name: word('roberta', '_Q4'), pieces: 8 }, { name: word('roberta', '_scales'), pieces: 2 }]);
    const rows = tokenRows(2005, [256, 1024], false);
    const whole = await ModelSession.create(bytes, 'wasm', { embeddingPieceBytes: NO_PIECES });
    const inPieces = await ModelSession.create(bytes, 'wasm', { embeddingPieceBytes: 8 * 1024 });
    expect(inPieces.tablesInPieces).toEqual(pieced.tables);
    expect(await logits(inPieces, rows)).toEqual(await logits(whole, rows));
  });

  it('leaves alone a table no larger than a piece, a graph without external tables, and one below opset 13', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(XLMR, 'model_quantized.onnx')));
    const split = splitInlineWeights(bytes)!;
    expect(readTablesInPieces(split.graph, 2005 * 64)).toBeNull(); // exactly one piece
    expect(readTablesInPieces(split.graph, 2005 * 64 - 1)?.tables).toHaveLength(1);
    expect(readTablesInPieces(bytes, 1024)).toBeNull(); // its tables are inline: nothing says where their rows lie
    expect(readTablesInPieces(withOpset(split.graph, 12), 8192)).toBeNull();
    expect(readTablesInPieces(withOpset(split.graph, 13), 8192)?.tables).toHaveLength(1);
    expect(readTablesInPieces(new Uint8Array([1, 2, 3]), 1024)).toBeNull();
  });
});

/** The graph's initializers: name and dims. */
function* initializers(model: Uint8Array): Generator<{ name: string; dims: number[] }> {
  const graph = [...fields(model, 0, model.length)].find((f) => f.number === 7)!;
  for (const f of fields(model, graph.start, graph.end)) {
    if (f.number !== 5 || f.wire !== WIRE.bytes) continue;
    let name = '';
    const dims: number[] = [];
    for (const t of fields(model, f.start, f.end)) {
      if (t.number === 8) name = new TextDecoder().decode(model.subarray(t.start, t.end));
      if (t.number === 1 && t.wire === WIRE.varint) dims.push(t.value);
    }
    yield { name, dims };
  }
}

/** Where an external initializer's bytes lie, or null where the graph has no such initializer. */
function externalOf(model: Uint8Array, name: string): { location: string; offset: number; length: number } | null {
  const graph = [...fields(model, 0, model.length)].find((f) => f.number === 7)!;
  for (const f of fields(model, graph.start, graph.end)) {
    if (f.number !== 5 || f.wire !== WIRE.bytes) continue;
    const entries = new Map<string, string>();
    let tensorName = '';
    for (const t of fields(model, f.start, f.end)) {
      if (t.number === 8) tensorName = new TextDecoder().decode(model.subarray(t.start, t.end));
      if (t.number === 13) {
        const [k, v] = [...fields(model, t.start, t.end)].map((e) => new TextDecoder().decode(model.subarray(e.start, e.end)));
        entries.set(k, v);
      }
    }
    if (tensorName === name && entries.has('location')) {
      return { location: entries.get('location')!, offset: Number(entries.get('offset')), length: Number(entries.get('length')) };
    }
  }
  return null;
}

const tableBytes = (model: Uint8Array, name: string) => externalOf(model, name)!.length;

/** The model with its default-domain opset set to `version` (the field's varint rewritten in place, same width). */
function withOpset(model: Uint8Array, version: number): Uint8Array {
  const out = model.slice();
  for (const f of fields(model, 0, model.length)) {
    if (f.number !== 8 || f.wire !== WIRE.bytes) continue;
    const parts = [...fields(model, f.start, f.end)];
    const domain = parts.find((p) => p.number === 1);
    if (domain && domain.end > domain.start) continue;
    const v = parts.find((p) => p.number === 2)!;
    expect(v.end - v.start).toBe(1);
    out[v.start] = version;
  }
  return out;
}
