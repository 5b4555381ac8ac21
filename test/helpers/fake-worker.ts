/** A worker stand-in for Node tests: `serveReranker` on one port of a MessageChannel, the client's endpoint on the other. */
import type { Reranker, RerankerOptions } from '../../src/lib/index.ts';
import { serveReranker } from '../../src/worker/serve.ts';
import type { Endpoint, Response } from '../../src/worker/protocol.ts';

/** A worker stand-in: the adapter on one port, the client on the other; records what the worker side transfers. */
export function fakeWorker(create: (options: RerankerOptions) => Promise<Reranker>) {
  const channel = new MessageChannel();
  const transfers: { type: string; transferred: number }[] = [];
  const workerSide = channel.port2 as unknown as Endpoint;
  const post = workerSide.postMessage.bind(workerSide);
  workerSide.postMessage = (message: unknown, transfer: Transferable[] = []) => {
    transfers.push({ type: (message as Response).type, transferred: transfer.length });
    post(message, transfer);
  };
  serveReranker(workerSide, { create });
  return { endpoint: channel.port1 as unknown as Endpoint, transfers, close: () => channel.port1.close() };
}

export function fakeWorkerWith(options: Parameters<typeof serveReranker>[1]) {
  const channel = new MessageChannel();
  serveReranker(channel.port2 as unknown as Endpoint, options);
  return { endpoint: channel.port1 as unknown as Endpoint, close: () => channel.port1.close() };
}
