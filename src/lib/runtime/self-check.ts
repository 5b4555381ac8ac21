/**
 * The load-time fidelity check: a few fixed pairs scored on the chosen backend and on wasm from the same file. The
 * known WebGPU failures (every document the same score, fp16 overflow, wrong quantized kernels) are silent; this is
 * where they show.
 *
 * The wasm side runs first, before the GPU session exists, and where it can in a worker of its own that is ended
 * once it has scored the pairs: onnxruntime's wasm heap never shrinks, so a reference built beside the GPU session
 * would hold about the file's size for as long as the reranker lives, and build while the GPU session holds its own.
 */
import { DTYPES } from '../dtypes.ts';
import { AbortError } from '../errors.ts';
import { ModelSession, type ExternalDataFile } from './session.ts';
import { keepRows } from './reference-rows.ts';
import type { TokenRow } from '../batching/padding.ts';
import type { ModelConfig } from '../files/model-config.ts';
import type { PairEncoder } from '../text/tokenize.ts';
import type { Dtype, FidelityCheck } from '../types.ts';

type ReferencePlace = FidelityCheck['reference'];

/** Fixed pairs: multilingual, short and long, relevant and not, so a broken kernel cannot hide. */
const SELF_CHECK_PAIRS: [string, string][] = [
  ['阿里巴巴和腾讯哪家公司成立更早?', '阿里巴巴集团于1999年在杭州创立,创始人是马云。'],
  ['深度学习中的梯度消失怎么解决?', '卷积神经网络主要用于图像分类任务。'],
  ['what is a cross-encoder?', 'A cross-encoder reads the query and the document together and outputs one relevance score.'],
  ['what is a cross-encoder?', 'The weather in Paris is mild in spring, and the museums are open late on Fridays.'],
  ['Wie spät ist es?', 'Es ist halb drei.'],
];

/** What the wasm reference scores: the model's files and the check's rows. */
export interface ReferenceJob {
  graph: Uint8Array;
  external: ExternalDataFile[];
  config: ModelConfig;
  rows: TokenRow[];
  padId: number;
}

/**
 * Scores a job's rows on wasm, one row per run, and says where it ran; throws where wasm cannot load the file. The
 * library's worker runs it in a worker of its own (worker/reference-worker.ts); elsewhere it is {@link scoreInProcess}.
 */
export type ReferenceScorer = (job: ReferenceJob, signal?: AbortSignal) => Promise<{ logits: number[]; place: ReferencePlace }>;

/** The reference's logits, or why it could not run. */
export type Reference = { logits: number[]; place: ReferencePlace } | { skipped: string };

/** The check's figures, or why it could not run (the GPU session itself is fine either way). */
export type SelfCheckOutcome = { check: FidelityCheck } | { skipped: string };

/** The check's first half, done before the session is built: its rows and their scores on wasm. */
export interface PendingCheck {
  rows: TokenRow[];
  padId: number;
  reference: Reference;
}

/**
 * Scores the rows with a wasm session built beside whatever else this thread holds, then releases it. The session
 * holds only the embedding rows the rows use (reference-rows.ts): the same logits, without the vocabulary's table.
 */
export async function scoreOnWasm({ graph, external, config, rows, padId }: ReferenceJob): Promise<number[]> {
  const kept = keepRows(graph, external, new Set([padId, ...rows.flatMap((row) => row.ids)]));
  const reference = await ModelSession.create(kept?.graph ?? graph, 'wasm', { externalData: kept?.external ?? external, config });
  try {
    const logits: number[] = [];
    // One pair per run: q8's activation scales depend on the whole batch, and the GPU side runs them the same way.
    for (const row of rows) logits.push(...(await reference.run([row], padId)));
    return logits;
  } finally {
    await reference.dispose();
  }
}

export const scoreInProcess: ReferenceScorer = async (job) => ({ logits: await scoreOnWasm(job), place: 'in-process' });

/** Scores the check's pairs (cut to the reranker's maxLength, as every pair is) on wasm, with `score`. */
export async function scoreReference(score: ReferenceScorer, model: Omit<ReferenceJob, 'rows' | 'padId'>,
  encoder: PairEncoder, maxLength: number, signal?: AbortSignal): Promise<PendingCheck> {
  const rows = SELF_CHECK_PAIRS.map(([q, d]) => encoder.pairFromIds(encoder.encode(q), encoder.encode(d), maxLength));
  const padId = encoder.padId;
  try {
    return { rows, padId, reference: await score({ ...model, rows, padId }, signal) };
  } catch (error) {
    if (error instanceof AbortError) throw error;
    // A file with operators only the GPU has (onnxruntime's GatherBlockQuantized embeddings): the reranker still
    // loads; the user is told its scores went unchecked.
    return { rows, padId, reference: { skipped: `wasm cannot load this file as the reference (${(error as Error).message})` } };
  }
}

/** The second half: the rows scored on the session, compared with the reference. */
export async function fidelityCheck(session: ModelSession, { rows, padId, reference }: PendingCheck,
  dtype: Dtype): Promise<SelfCheckOutcome> {
  if ('skipped' in reference) return reference;
  const ours: number[] = [];
  for (const row of rows) ours.push(...(await session.run([row], padId)));
  const theirs = reference.logits;
  const maxDiff = ours.reduce((m, x, i) => Math.max(m, Number.isFinite(x) ? Math.abs(x - theirs[i]) : Infinity), 0);
  // The failure of transformers.js #1181: one score for every pair, however close to the reference's mean.
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  const collapsed = spread(theirs) > 0 && !(spread(ours) > spread(theirs) / 10);
  const tolerance = DTYPES[dtype].selfCheckTolerance;
  return {
    check: { pairs: rows.length, maxDiff, tolerance, collapsed, ok: maxDiff <= tolerance && !collapsed, reference: reference.place },
  };
}
