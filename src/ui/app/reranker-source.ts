/**
 * The one place the UI gets its reranker from: the worker client (the model runs off the main thread, so the page
 * stays responsive during a 570 MB load and long batches). Swap this line to run in-thread instead.
 */
export { createWorkerReranker as createAppReranker, type WorkerReranker as AppReranker } from '../../worker/client.ts';
