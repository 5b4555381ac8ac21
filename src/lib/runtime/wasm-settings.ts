/**
 * How onnxruntime-web's wasm is loaded and threaded, as plain data: another worker that must load it the same way
 * (the self-check's reference) is sent these. Apart from ort.ts so that the protocol's types name no onnxruntime type.
 */
export interface WasmSettings {
  /** `ort.env.wasm.wasmPaths`: a URL prefix, or the .wasm (and its loader's) URL. */
  paths: string | { wasm?: string; mjs?: string } | undefined;
  numThreads: number | undefined;
}
