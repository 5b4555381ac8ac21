/**
 * One row of `npm run bench:compact`, in a process of its own so that its load is cold and its peak memory its own:
 * loads one dtype of a model folder through createReranker on one device, scores the RAG workload's pairs once
 * untimed and `rounds` times timed, and prints one JSON line (RowResult) on stdout.
 *
 *   tsx scripts/bench/compact-row.ts --dir DIR --dtype q4f16 --device wasm|webgpu --docs 32 --max-tokens 256 --rounds 2
 */
import { parseArgs } from 'node:util';
import { createReranker } from '../../src/lib/runtime/load.ts';
import type { Device, Dtype, EmbeddingStorage, RerankerInfo } from '../../src/lib/types.ts';
import { installDawn } from '../webgpu/dawn.ts';
import { encoderFromFolder, modelFiles } from './model-folder.ts';
import { ragWorkload } from './workload.ts';

export interface RowResult {
  ok: boolean;
  error?: string;
  backend?: RerankerInfo['backend'];
  /** createReranker's own figure: files read, session, warm-up and self-check. */
  loadMs?: number;
  /** Wall time of createReranker in this fresh process. */
  coldLoadMs?: number;
  pairsPerSecond?: number;
  logits?: number[];
  /** This process's peak resident set (on lavapipe the "GPU" memory is host memory too). */
  peakRssMb?: number;
  selfCheckMaxDiff?: number;
  embeddings?: EmbeddingStorage;
}

async function measure(): Promise<RowResult> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      dtype: { type: 'string' },
      device: { type: 'string', default: 'wasm' },
      docs: { type: 'string', default: '32' },
      'max-tokens': { type: 'string', default: '256' },
      rounds: { type: 'string', default: '2' },
      seed: { type: 'string', default: '7' },
    },
  });
  const dir = values.dir!;
  const dtype = values.dtype as Dtype;
  const device = values.device as Device;
  if (device === 'webgpu') {
    const install = await installDawn();
    if (!install.adapter) return { ok: false, error: install.reason };
  }
  const work = ragWorkload(encoderFromFolder(dir), Number(values.docs), Number(values.seed), 16, Number(values['max-tokens']));
  const pairs = work.documents.map((d) => [work.query, d] as [string, string]);
  const started = performance.now();
  const reranker = await createReranker({ model: { files: await modelFiles(dir, dtype) }, device, dtype });
  const coldLoadMs = performance.now() - started;
  try {
    const logits = await reranker.score(pairs, { rawScores: true });
    const times: number[] = [];
    for (let i = 0; i < Number(values.rounds); i++) {
      const t = performance.now();
      await reranker.score(pairs, { rawScores: true });
      times.push(performance.now() - t);
    }
    const best = Math.min(...times);
    const { backend, loadMs, runtime, embeddings } = reranker.info;
    const fidelity = runtime?.fidelity;
    return {
      ok: true, backend, loadMs, coldLoadMs, logits, embeddings,
      pairsPerSecond: pairs.length / (best / 1000),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      selfCheckMaxDiff: fidelity?.maxDiff,
    };
  } finally {
    await reranker.dispose();
  }
}

measure().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: (error as Error).message ?? String(error) })}\n`);
    process.exit(0);
  },
);
