/// <reference lib="webworker" />
// The reranker worker: it owns the onnxruntime session; everything else is the core behind the protocol.
import { installMemoryProbe } from '../lib/runtime/memory.ts';
import { serveReranker } from './serve.ts';
import { trustSameOriginScripts } from './trusted-types.ts';

trustSameOriginScripts(); // onnxruntime's wasm threads, where the worker's policy requires Trusted Types
serveReranker(self, { memory: installMemoryProbe() });
