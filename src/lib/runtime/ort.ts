/**
 * The one onnxruntime-web import of the project: the `webgpu` build (the native WebGPU execution provider plus wasm),
 * the same module transformers.js imports, so the bundle holds one copy. The older JSEP build returned silently
 * wrong fp16 and q8 results on WebGPU in our probe. Under Node (tests, benchmarks) vitest aliases this specifier to
 * onnxruntime-web's Node build, which runs the same wasm kernels.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { RerankerOptions } from '../types.ts';
import type { WasmSettings } from './wasm-settings.ts';

export { ort };

/**
 * Where the wasm binary is fetched from, and its threads. transformers.js points it at a CDN when it loads; we serve
 * our own. When only wasm will run and the plain build is offered, it is loaded instead of the WebGPU build (14.3 MB,
 * not 26.9).
 */
export function configureWasm(numThreads: number, cpuOnly: boolean, wasmUrl: string | undefined,
  cpu: RerankerOptions['wasmCpu']): void {
  const wasm = ort.env.wasm;
  // Without wasmPaths, onnxruntime-web finds the .wasm beside its own module, which the bundler emits as an asset of
  // this site (no CDN: offline and static hosting work).
  wasm.wasmPaths = cpuOnly && cpu ? { wasm: cpu.wasm, mjs: cpu.loader } : wasmUrl ? { wasm: wasmUrl } : undefined;
  wasm.numThreads = numThreads;
  wasm.proxy = false;
}

/** The wasm settings in force: another worker that must load onnxruntime the same way takes them (self-check.ts). */
export function currentWasmSettings(): WasmSettings {
  // configureWasm sets strings only; URL objects (not cloneable) would be a caller's own setting.
  return { paths: ort.env.wasm.wasmPaths as WasmSettings['paths'], numThreads: ort.env.wasm.numThreads };
}

export function useWasmSettings({ paths, numThreads }: WasmSettings): void {
  ort.env.wasm.wasmPaths = paths;
  ort.env.wasm.numThreads = numThreads;
  ort.env.wasm.proxy = false;
}
