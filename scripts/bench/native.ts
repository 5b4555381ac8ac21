/**
 * The ceiling: the same ONNX file and the same padded batches through onnxruntime-node (native CPU kernels), with the
 * same thread count as the page. onnxruntime-node ships with @huggingface/transformers; its CPU binary is in the
 * package (the install step that is skipped offline only fetches CUDA libraries).
 */
import fs from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { modelFeeds } from '../../src/lib/batching/padding.ts';

export interface NativeRunner {
  version: string;
  /** Σ of session.run times over the batches, feeds built before the clock starts. */
  run(batches: readonly (readonly (readonly number[])[])[], pad: number): Promise<number>;
  close(): Promise<void>;
}


export async function openNative(onnxFile: string, threads: number): Promise<NativeRunner> {
  const session = await ortNode.InferenceSession.create(fs.readFileSync(onnxFile), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  return {
    version: ortNode.env.versions?.common ?? 'unknown',
    async run(batches, pad) {
      let ms = 0;
      for (const rows of batches) {
        const feeds = modelFeeds(rows.map((ids) => ({ ids })), pad, session.inputNames,
          (data, dims) => new ortNode.Tensor('int64', data, dims));
        const t0 = performance.now();
        await session.run(feeds);
        ms += performance.now() - t0;
      }
      return ms;
    },
    close: () => session.release(),
  };
}
