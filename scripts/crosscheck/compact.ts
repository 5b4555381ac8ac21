/**
 * Step 2b′ of the cross-check: our compact q4 / q4f16 files (`make-model --embeddings q4`: word and position tables in
 * 4 bits, looked up in standard ops) against onnxruntime's own 4-bit Gather quantizer (GatherBlockQuantized) on the
 * same fp32 graph. quantizers.py and compact_embeddings.py measure; this file grades and prints.
 *
 * Gated: every compact table's 4-bit bytes (theirs INT4, ours uint8 q + 8: ours = theirs XOR 0x88) and scales equal
 * theirs; every other shared weight equal; our q4's logits within the tolerance of theirs when the quantizer skips the
 * tables ours keeps float (both on Python onnxruntime). Reported only: the quantizer as called (it also packs the
 * token-type table) and q4f16's logits (float16 activations against their float32 ones).
 *
 * @example
 * compactFailures(onnx.compact, 1e-4); // → [] when the bytes, scales and logits agree
 * compactLines(onnx.compact, 1e-4);    // → markdown: | q4 | roberta.embeddings.word_embeddings.weight | 2005 × 64 | yes | yes |
 * compactRows(onnx.compact, { reference, groups, seedIndices }); // → rows 'Python | onnxruntime CPU | q4, compact tables'
 */
import path from 'node:path';
import { PROJECT_ROOT } from './venv.ts';
import { fmtDiff as fmt, logitProblems, maxAbsDiff, measured, type Reference, type Row } from './rows.ts';

interface CompactTable {
  table: string;
  dims: number[];
  theirType: string;
  blockSize?: number;
  quantizeAxis?: number;
  zeroPoints: boolean;
  /** Whether our file stores this table in 4 bits. */
  ours: boolean;
  ourType?: string;
  ourDims?: number[];
  packedEqual?: boolean;
  bytesDiffer?: number | null;
  scalesEqual?: boolean;
}

interface CompactFile {
  tables: CompactTable[];
  /** Every other initializer both files have (q4), or the MatMulNBits weights and scales (q4f16). */
  others: { compared: number; equal: number; differ: string[] };
  opsets: { theirs: [string, number][]; ours: [string, number][] };
  lookups: { theirs: string[]; ours: string[] };
}

type CompactDtype = 'q4' | 'q4f16';
const COMPACT_DTYPES: readonly CompactDtype[] = ['q4', 'q4f16'];

/** What quantizers.py writes under `compact`. */
export interface CompactComparison {
  dir: string;
  quantizer?: string;
  seconds?: number;
  /** Gather nodes of tables our files keep float, which the like-for-like run of the quantizer skips. */
  keptFloat?: string[];
  files: Partial<Record<CompactDtype, CompactFile>>;
  /** Our compact files (`q4`, `q4f16`), theirs like for like (`python-q4`) and as called (`python-q4-every-table`). */
  ort: Record<string, { logits: number[]; runSeconds: number }>;
}

const LIKE_FOR_LIKE = 'python-q4';
const AS_CALLED = 'python-q4-every-table';
const shortName = (table: string) => table.split('.').slice(-2, -1)[0] ?? table;

function logitDiff(c: CompactComparison, dtype: CompactDtype, theirs: string): number | undefined {
  const a = c.ort[dtype];
  const b = c.ort[theirs];
  return a && b ? maxAbsDiff(a.logits, b.logits) : undefined;
}

function fileProblems(c: CompactComparison, dtype: CompactDtype, f: CompactFile, tolerance: number): string[] {
  const out: string[] = [];
  const compact = f.tables.filter((t) => t.ours);
  if (compact.length === 0) out.push(`compact ${dtype}: no table is stored in 4 bits`);
  for (const t of compact) {
    if (!t.packedEqual) out.push(`compact ${dtype} ${shortName(t.table)}: 4-bit bytes differ from onnxruntime's (${t.bytesDiffer ?? 'layout'})`);
    if (!t.scalesEqual) out.push(`compact ${dtype} ${shortName(t.table)}: scales differ from onnxruntime's`);
  }
  if (f.others.equal !== f.others.compared) {
    out.push(`compact ${dtype}: ${f.others.equal}/${f.others.compared} other weights equal onnxruntime's (${f.others.differ.slice(0, 5).join(', ')})`);
  }
  const diff = logitDiff(c, dtype, LIKE_FOR_LIKE);
  if (dtype === 'q4' && (diff === undefined || !(diff <= tolerance))) {
    out.push(`compact q4: max |Δ logit| to onnxruntime's file ${fmt(diff)} (tolerance ${tolerance})`);
  }
  return out;
}

export function compactFailures(c: CompactComparison, tolerance: number): string[] {
  return COMPACT_DTYPES.flatMap((d) => (c.files[d] ? fileProblems(c, d, c.files[d], tolerance) : []));
}

/** Python onnxruntime's logits for the compact files and for theirs, against PyTorch fp32. */
export function compactRows(c: CompactComparison, reference: Reference, tolerance: number): Row[] {
  const label: Record<string, string> = {
    q4: 'q4, compact tables (ours)',
    q4f16: 'q4f16, compact tables (ours)',
    [LIKE_FOR_LIKE]: 'q4 + GatherBlockQuantized (quantized in Python, token-type table float)',
    [AS_CALLED]: 'q4 + GatherBlockQuantized (quantized in Python, every table)',
  };
  return Object.entries(c.ort).map(([name, { logits, runSeconds }]) => {
    const m = measured(logits, reference);
    const notes = logitProblems(m.agreement, false, tolerance);
    return { runtime: 'Python', backend: 'onnxruntime CPU', dtype: label[name] ?? name, ...m, runMs: runSeconds * 1000,
      status: notes.length === 0 ? 'ok' : 'FAIL', note: notes.join('; ') };
  });
}

const opsets = (o: [string, number][]) => o.map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');

/** The comparison as markdown: one table per compact table, one per file. */
export function compactLines(c: CompactComparison, tolerance: number): string[] {
  const present = COMPACT_DTYPES.filter((d) => c.files[d]);
  if (present.length === 0) return [`Compact embeddings: no q4 / q4f16 file in ${path.relative(PROJECT_ROOT, c.dir)}.`];
  const tables = present.flatMap((d) => c.files[d]!.tables.map((t) => `| ${d} | ${t.table} | ${t.dims.join(' × ')} | ` +
    (t.ours ? `${t.packedEqual ? 'yes' : `no (${t.bytesDiffer ?? 'layout'} bytes differ)`} | ${t.scalesEqual ? 'yes' : 'no'} |`
      : `– (ours keeps it float: ${t.dims[0]} row${t.dims[0] === 1 ? '' : 's'}) | – |`)));
  const files = present.map((d) => {
    const f = c.files[d]!;
    const check = fileProblems(c, d, f, tolerance).length === 0 ? 'ok' : 'FAIL';
    const same = logitDiff(c, d, LIKE_FOR_LIKE);
    return `| ${d} | ${f.others.equal}/${f.others.compared}${d === 'q4f16' ? ' (MatMulNBits weights; scales as float16)' : ''} | ` +
      `theirs ${opsets(f.opsets.theirs)}; ours ${opsets(f.opsets.ours)} | theirs ${f.lookups.theirs.join(', ')}; ours ` +
      `${f.lookups.ours.join(', ')} + unpack | ${fmt(same)}${d === 'q4f16' ? ' (float16 activations: reported, not gated)' : ` (gated ≤ ${tolerance})`} | ` +
      `${fmt(logitDiff(c, d, AS_CALLED))} | ${check} |`;
  });
  return [
    `Compact embeddings (\`make-model --embeddings q4\`, ${path.relative(PROJECT_ROOT, c.dir)}) against ${c.quantizer ?? 'onnxruntime\'s quantizer'} ` +
      'with op_types_to_quantize ("MatMul", "Gather"), quant_axes ((MatMul, 0), (Gather, 1)), block 32, symmetric, on ' +
      'the same fp32 model.onnx. It writes com.microsoft GatherBlockQuantized (INT4 data, float32 scales) and raises the ' +
      'default opset to 21; ours look the tables up in standard ops over uint8 bytes holding q + 8, two a byte, low ' +
      'nibble first (their INT4 bytes XOR 0x88), with the same scales (float16 in q4f16).',
    '',
    '| file | table | rows × cols | 4-bit bytes equal (ours vs theirs XOR 0x88) | scales equal |',
    '|---|---|---|---|---|',
    ...tables,
    '',
    `| file | other weights equal | opset imports | lookup | max abs Δ logit vs theirs, the quantizer skipping the tables ours keeps float (${(c.keptFloat ?? []).join(', ') || 'none'}) | vs theirs as called (every table 4-bit) | check |`,
    '|---|---|---|---|---|---|---|',
    ...files,
    '',
    'Both sides on Python onnxruntime\'s CPU execution provider, all pairs.',
  ];
}
