/**
 * The load-time fidelity check: a few fixed pairs scored on the chosen backend and on wasm from the same file. The
 * known WebGPU failures (every document the same score, fp16 overflow, wrong quantized kernels) are silent; this is
 * where they show.
 */
import { DTYPES } from '../dtypes.ts';
import { ModelSession, type ExternalDataFile } from './session.ts';
import type { ModelConfig } from '../files/model-config.ts';
import type { PairEncoder } from '../text/tokenize.ts';
import type { Dtype, FidelityCheck } from '../types.ts';

/** Fixed pairs: multilingual, short and long, relevant and not, so a broken kernel cannot hide. */
const SELF_CHECK_PAIRS: [string, string][] = [
  ['阿里巴巴和腾讯哪家公司成立更早?', '阿里巴巴集团于1999年在杭州创立,创始人是马云。'],
  ['深度学习中的梯度消失怎么解决?', '卷积神经网络主要用于图像分类任务。'],
  ['what is a cross-encoder?', 'A cross-encoder reads the query and the document together and outputs one relevance score.'],
  ['what is a cross-encoder?', 'The weather in Paris is mild in spring, and the museums are open late on Fridays.'],
  ['Wie spät ist es?', 'Es ist halb drei.'],
];

export interface SelfCheckModel {
  graph: Uint8Array;
  external: ExternalDataFile[];
  config: ModelConfig;
}

/** The check's figures, or why it could not run (the GPU session itself is fine either way). */
export type SelfCheckOutcome = { check: FidelityCheck } | { skipped: string };

export async function fidelityCheck(session: ModelSession, model: SelfCheckModel, encoder: PairEncoder, dtype: Dtype,
  maxLength: number): Promise<SelfCheckOutcome> {
  const rows = SELF_CHECK_PAIRS.map(([q, d]) => encoder.pairFromIds(encoder.encode(q), encoder.encode(d), maxLength));
  let reference: ModelSession;
  try {
    reference = await ModelSession.create(model.graph, 'wasm', { externalData: model.external, config: model.config });
  } catch (error) {
    // A file with operators only the GPU has (onnxruntime's GatherBlockQuantized embeddings): the reranker still
    // loads; the user is told its scores went unchecked.
    return { skipped: `wasm cannot load this file as the reference (${(error as Error).message})` };
  }
  try {
    // One pair per run on both sides: q8's activation scales depend on the whole batch.
    const ours: number[] = [];
    const theirs: number[] = [];
    for (const row of rows) {
      ours.push(...(await session.run([row], encoder.padId)));
      theirs.push(...(await reference.run([row], encoder.padId)));
    }
    const maxDiff = ours.reduce((m, x, i) => Math.max(m, Number.isFinite(x) ? Math.abs(x - theirs[i]) : Infinity), 0);
    // The failure of transformers.js #1181: one score for every pair, however close to the reference's mean.
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const collapsed = spread(theirs) > 0 && !(spread(ours) > spread(theirs) / 10);
    const tolerance = DTYPES[dtype].selfCheckTolerance;
    return { check: { pairs: rows.length, maxDiff, tolerance, collapsed, ok: maxDiff <= tolerance && !collapsed } };
  } finally {
    await reference.dispose();
  }
}
