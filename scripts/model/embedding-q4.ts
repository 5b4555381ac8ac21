/**
 * Compact embeddings: the q4 / q4f16 files' embedding tables stored 4 bits per weight, in blocks of 32 along the
 * hidden axis with one scale each (symmetric), as onnxruntime's MatMulNBitsQuantizer quantises a Gather with
 * `op_types_to_quantize=("MatMul", "Gather")` (`quantize_ndarray`: scale = the block's value of largest magnitude / -8,
 * q = round-half-even(v / scale) clipped to [-8, 7]). The bytes are GatherBlockQuantized's uint8 layout (two values a
 * byte, the first in the low nibble, stored as q + 8: its implied zero point for 4 bits), so both lookups below read
 * the same initializers:
 * - `unpack` (the default): standard ONNX ops every execution provider has, the wasm build's included (it has no
 *   GatherBlockQuantized kernel): Gather the packed rows and their scales, Cast to float, high = Floor(x / 16),
 *   low = x − 16 · high, interleave, subtract 8, multiply by the block's scale.
 * - `gather-block-quantized`: one `com.microsoft.GatherBlockQuantized` node (native CPU and WebGPU only).
 */
import { DataType } from './onnx-proto.ts';
import { intAttr, type GraphBuilder } from './graph-builder.ts';
import { roundHalfEven } from './quantize.ts';
import { forEachRowBlock, tableInMemory, type TableSource } from './table-rows.ts';
import type { GeneratedDtype } from './presets.ts';

/** How a q4 / q4f16 file stores its embedding tables: `float` as the rest of its floats (today's files), `q4` compact. */
export const EMBEDDING_STORAGES = ['float', 'q4'] as const;
export type EmbeddingStorage = (typeof EMBEDDING_STORAGES)[number];

export const EMBEDDING_LOOKUPS = ['unpack', 'gather-block-quantized'] as const;
export type EmbeddingLookup = (typeof EMBEDDING_LOOKUPS)[number];

/** The dtypes whose files can carry compact embeddings (those whose MatMuls are 4-bit already). */
export const COMPACT_DTYPES: readonly GeneratedDtype[] = ['q4', 'q4f16'];

export const EMBEDDING_BLOCK_SIZE = 32;

/**
 * Tables stored in 4 bits, by the last part of their name: the word and position tables. The token-type table (1 or 2
 * rows) would save at most a few kilobytes for an extra lookup.
 */
export const COMPACT_TABLES = ['word_embeddings', 'position_embeddings'] as const;

/** What config.json's `lookup` says for each spelling. */
const LOOKUP_DESCRIPTION: Record<EmbeddingLookup, string> = {
  unpack: 'Gather uint8 [rows, hidden/2] and float scales [rows, hidden/32]; Cast, Floor and Sub unpack the nibbles ' +
    '(low first), minus 8, times the block scale (standard ONNX ops: runs on every execution provider)',
  'gather-block-quantized': 'com.microsoft.GatherBlockQuantized (bits 4, uint8, zero point 8): native CPU and WebGPU only',
};

export interface CompactEmbeddingOptions {
  embeddings?: EmbeddingStorage;
  embeddingLookup?: EmbeddingLookup;
}

/** Whether the table `name` of a `dtype` file is stored in 4 bits under these options. */
export function isCompactTable(name: string, dtype: GeneratedDtype, options: CompactEmbeddingOptions): boolean {
  return options.embeddings === 'q4' && COMPACT_DTYPES.includes(dtype) &&
    COMPACT_TABLES.some((t) => name.endsWith(`.embeddings.${t}.weight`));
}

/**
 * config.json's `embedding_quantization` for a folder with these dtypes, or undefined where no file stores its
 * embeddings in 4 bits.
 *
 * @example
 * embeddingQuantizationConfig(['fp32', 'q4f16'], { embeddings: 'q4' })
 * // → { embedding_quantization: { dtypes: ['q4f16'], bits: 4, block_size: 32, symmetric: true,
 * //     tables: ['word_embeddings', 'position_embeddings'], lookup: 'Gather uint8 …' } }
 */
export function embeddingQuantizationConfig(dtypes: readonly GeneratedDtype[], options: CompactEmbeddingOptions):
  Record<string, unknown> | undefined {
  const compact = dtypes.filter((d) => COMPACT_DTYPES.includes(d));
  if (options.embeddings !== 'q4' || compact.length === 0) return undefined;
  return {
    embedding_quantization: {
      dtypes: compact,
      bits: 4,
      block_size: EMBEDDING_BLOCK_SIZE,
      symmetric: true,
      tables: [...COMPACT_TABLES],
      lookup: LOOKUP_DESCRIPTION[options.embeddingLookup ?? 'unpack'],
    },
  };
}

export interface PackedTable4Bit {
  /** uint8 [rows, cols / 2]: values q + 8 in [0, 15], two a byte, the even column in the low nibble. */
  packed: Uint8Array;
  /** float32 [rows, cols / blockSize]. */
  scales: Float32Array;
}

/**
 * A table [rows, cols] quantised along cols in blocks, as onnxruntime's `quantize_ndarray(is_symmetric=True)` does
 * (float32 arithmetic, numpy's rounding), packed in GatherBlockQuantized's uint8 layout.
 *
 * @example
 * const t = quantizeTable4Bit(Float32Array.from({ length: 32 }, (_, k) => k - 16), 1, 32, 32); // -16 … 15
 * t.scales     // → Float32Array [2]   (-16 / -8)
 * t.packed[0]  // → 0x00   (-16 / 2 = -8 and -15 / 2 = -7.5 → -8, half to even; + 8 → 0 and 0)
 * t.packed[15] // → 0xff   (14 / 2 = 7 and 15 / 2 = 7.5 → 8, clipped to 7; + 8 → 15 and 15)
 */
export function quantizeTable4Bit(table: Float32Array, rows: number, cols: number, blockSize: number): PackedTable4Bit {
  return quantizeRows4Bit(tableInMemory(table, rows, cols), blockSize);
}

/** `quantizeTable4Bit` reading the table a few thousand rows at a time, with the same bytes. */
export function quantizeRows4Bit(table: TableSource, blockSize: number): PackedTable4Bit {
  const { rows, cols } = table;
  if (cols % blockSize !== 0) {
    throw new RangeError(`cannot store a ${rows}×${cols} table in 4-bit blocks of ${blockSize}: ${cols} is not a multiple`);
  }
  const blocks = cols / blockSize;
  const packed = new Uint8Array((rows * cols) / 2);
  const scales = new Float32Array(rows * blocks);
  forEachRowBlock(table, (part, base) => {
    // base is even (cols is a multiple of the block), so each value keeps its nibble
    const first = base / cols;
    for (let r = 0; r < part.length / cols; r++) {
      for (let b = 0; b < blocks; b++) {
        const start = r * cols + b * blockSize;
        let min = part[start];
        let max = part[start];
        for (let i = start + 1; i < start + blockSize; i++) {
          if (part[i] < min) min = part[i];
          if (part[i] > max) max = part[i];
        }
        const scale = Math.fround((Math.abs(max) > Math.abs(min) ? max : min) / -8);
        scales[(first + r) * blocks + b] = scale;
        for (let i = start; i < start + blockSize; i++) {
          const q = scale === 0 ? 0 : Math.max(-8, Math.min(7, roundHalfEven(Math.fround(part[i] / scale))));
          packed[(base + i) >> 1] |= (q + 8) << ((i & 1) * 4);
        }
      }
    }
  });
  return { packed, scales };
}

/**
 * table[indices] of a compact table, in the chosen spelling; the indices must be rank 2 ([batch, sequence]). Returns
 * the gathered tensor [batch, sequence, cols] in the graph's float type.
 */
export function compactGather(g: GraphBuilder, lookup: EmbeddingLookup, name: string, table: TableSource, indices: string,
  path: string, int64: (name: string, values: number[]) => string): string {
  const { rows, cols } = table;
  const q = quantizeRows4Bit(table, EMBEDDING_BLOCK_SIZE);
  const blocks = cols / EMBEDDING_BLOCK_SIZE;
  const packed = g.initializer(`${name}_Q4`, [rows, cols / 2], DataType.UINT8, q.packed);
  const scales = g.float(`${name}_scales`, [rows, blocks], q.scales);
  if (lookup === 'gather-block-quantized') {
    return g.named('GatherBlockQuantized', `${path}/Gather_Q4`, [packed, indices, scales], [`${path}/Gather_output_0`], [
      intAttr('bits', 4), intAttr('block_size', EMBEDDING_BLOCK_SIZE), intAttr('gather_axis', 0), intAttr('quantize_axis', 1),
    ], 'com.microsoft')[0];
  }
  const bytes = g.op1('Cast', `${path}/Cast_Q4`, [g.op1('Gather', `${path}/Gather_Q4`, [packed, indices])],
    [intAttr('to', g.floatType)]);
  // Exact in float16 too: bytes are integers below 256, 1/16 a power of two.
  const high = g.op1('Floor', `${path}/Floor_Q4`, [g.op1('Mul', `${path}/Mul_sixteenth`, [bytes, scalarOnce(g, 'q4_sixteenth', 1 / 16)])]);
  const low = g.op1('Sub', `${path}/Sub_low`, [bytes, g.op1('Mul', `${path}/Mul_sixteen`, [high, scalarOnce(g, 'q4_sixteen', 16)])]);
  const lastAxis = int64('q4_axis_last', [-1]);
  const pairs = g.op1('Concat', `${path}/Concat_nibbles`, [
    g.op1('Unsqueeze', `${path}/Unsqueeze_low`, [low, lastAxis]),
    g.op1('Unsqueeze', `${path}/Unsqueeze_high`, [high, lastAxis]),
  ], [intAttr('axis', -1)]);
  const inBlocks = g.op1('Reshape', `${path}/Reshape_blocks`, [pairs, int64(`q4_blocks_${blocks}`, [0, 0, blocks, EMBEDDING_BLOCK_SIZE])]);
  const centred = g.op1('Sub', `${path}/Sub_zero_point`, [inBlocks, scalarOnce(g, 'q4_zero_point', 8)]);
  const rowScales = g.op1('Unsqueeze', `${path}/Unsqueeze_scales`, [g.op1('Gather', `${path}/Gather_scales`, [scales, indices]), lastAxis]);
  const scaled = g.op1('Mul', `${path}/Mul_scales`, [centred, rowScales]);
  return g.op1('Reshape', `${path}/Reshape_rows`, [scaled, int64(`q4_rows_${cols}`, [0, 0, cols])]);
}

/** A float scalar written on first use (the word and position lookups share them). */
function scalarOnce(g: GraphBuilder, name: string, value: number): string {
  if (!g.initializers.some((t) => t.name === name)) g.scalar(name, value);
  return name;
}
