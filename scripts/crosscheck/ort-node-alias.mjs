/**
 * A Node module hook: `onnxruntime-web/webgpu` (the core's one onnxruntime import, a browser bundle) resolves to
 * onnxruntime-web's Node build, as vitest.config.ts aliases it for the unit tests. Same wasm kernels; the browser
 * bundle also loads under Node, but its fp32 path ran 12× slower there (tiny model, 210 pairs: 34 s against 2.8 s).
 *
 * @example
 * // import { register } from 'node:module';
 * // register('./ort-node-alias.mjs', import.meta.url);   // before the first import of src/lib
 */
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier === 'onnxruntime-web/webgpu' ? 'onnxruntime-web' : specifier, context);
}
