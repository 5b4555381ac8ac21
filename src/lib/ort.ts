/**
 * The one onnxruntime-web import of the project: the `webgpu` build (the native WebGPU execution provider plus wasm),
 * the same module transformers.js imports, so the bundle holds one copy. The older JSEP build returned silently
 * wrong fp16 and q8 results on WebGPU in our probe. Under Node (tests, benchmarks) vitest aliases this specifier to
 * onnxruntime-web's Node build, which runs the same wasm kernels.
 */
export * as ort from 'onnxruntime-web/webgpu';
