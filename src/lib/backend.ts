/**
 * Chooses the execution provider and the dtype. Backends are an ordered list (webgpu, then wasm); every preference
 * that is not honoured leaves a reason in `fallbacks`, which `reranker.info` and the UI show.
 */
import type { AdapterInfo, Device, DeviceRequest, Dtype, DtypeRequest, Fallback } from './types.ts';

export interface WebGpuProbe {
  adapter: AdapterInfo | null;
  /** Why there is no adapter, when there is none. */
  reason?: string;
}

interface GpuAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(o?: object): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return { adapter: null, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { adapter: null, reason: `requesting a WebGPU adapter failed: ${(error as Error).message}` };
  }
  if (!adapter) return { adapter: null, reason: 'no WebGPU adapter is available (blocked, or no supported GPU)' };
  const info = adapter.info ?? {};
  return {
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
      shaderF16: adapter.features.has('shader-f16'),
    },
  };
}

export function describeAdapter(a: AdapterInfo): string {
  return [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unnamed adapter';
}

export interface BackendChoice {
  /** Devices to try in order; the first that creates a session wins. */
  devices: Device[];
  fallbacks: Fallback[];
  notes: string[];
}

/** Which devices to try, in order, for a request and what the probe found. */
export function chooseDevices(request: DeviceRequest, probe: WebGpuProbe): BackendChoice {
  const fallbacks: Fallback[] = [];
  const notes: string[] = [];
  if (request === 'wasm') return { devices: ['wasm'], fallbacks, notes };
  if (!probe.adapter) {
    fallbacks.push({ from: 'webgpu', to: 'wasm', reason: probe.reason ?? 'no WebGPU adapter' });
    return { devices: ['wasm'], fallbacks, notes };
  }
  if (request === 'auto' && probe.adapter.isFallbackAdapter) {
    // SwiftShader and other software adapters run WebGPU on the CPU, about 100× slower than wasm here.
    fallbacks.push({
      from: 'webgpu',
      to: 'wasm',
      reason: `the WebGPU adapter (${describeAdapter(probe.adapter)}) is a software fallback, far slower than wasm`,
    });
    return { devices: ['wasm'], fallbacks, notes };
  }
  if (probe.adapter.isFallbackAdapter) notes.push('WebGPU forced on a software adapter: expect it to be slow');
  return { devices: ['webgpu', 'wasm'], fallbacks, notes };
}

/**
 * The model files a browser can run, named as transformers.js names them (its `dtype` option), with the file of the
 * onnx-community export each one loads. What runs where on onnxruntime-web:
 * - fp32, fp16: every op has WebGPU kernels; fp16 needs the adapter's `shader-f16`, and on wasm computes in fp32.
 * - q4, q4f16: 4-bit weights in `MatMulNBits`, which has WebGPU kernels (and wasm ones): the whole graph runs on the
 *   GPU. q4f16 needs `shader-f16` on WebGPU.
 * - q8 (= `model_quantized.onnx`), int8, uint8: dynamic quantization, `DynamicQuantizeLinear` + `MatMulInteger`,
 *   which have no WebGPU kernels: on WebGPU onnxruntime runs them on the CPU with copies in between. Best on wasm.
 */
export const ONNX_FILE_BY_DTYPE: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

export const DTYPES = Object.keys(ONNX_FILE_BY_DTYPE) as Dtype[];

/** transformers.js dtypes this library cannot load, and why (asked for, they fail with this reason). */
export const UNSUPPORTED_DTYPES: Readonly<Record<string, string>> = {
  bnb4: 'bnb4 (model_bnb4.onnx, MatMulBnb4) has no WebGPU kernel in onnxruntime-web, and this project cannot test ' +
    'it; use q4 or q4f16, the same 4-bit size with GPU kernels',
};

const NEEDS_SHADER_F16: readonly Dtype[] = ['fp16', 'q4f16'];

/**
 * The dtypes to try on a device, best first: the first whose file exists at the source is loaded (one request in
 * the usual case; a missing file moves on to the next, with the reason kept). `fallbacks` says why a requested dtype
 * was replaced before any file was read.
 *
 * @example
 * dtypeCandidates('auto', 'webgpu', adapterWithShaderF16).dtypes // → ['fp16', 'q4f16', 'fp32', 'q4']
 * dtypeCandidates('auto', 'wasm', null).dtypes                   // → ['q8', 'int8', 'uint8', 'fp32', 'q4', 'fp16', 'q4f16']
 */
export function dtypeCandidates(request: DtypeRequest, device: Device, adapter: AdapterInfo | null):
  { dtypes: Dtype[]; fallbacks: Fallback[] } {
  const f16 = device === 'webgpu' && Boolean(adapter?.shaderF16);
  if (request === 'auto') {
    if (device === 'wasm') return { dtypes: ['q8', 'int8', 'uint8', 'fp32', 'q4', 'fp16', 'q4f16'], fallbacks: [] };
    return { dtypes: f16 ? ['fp16', 'q4f16', 'fp32', 'q4'] : ['fp32', 'q4', 'q8'], fallbacks: [] };
  }
  if (device === 'webgpu' && !f16 && NEEDS_SHADER_F16.includes(request)) {
    const dtypes: Dtype[] = request === 'q4f16' ? ['q4', 'fp32'] : ['fp32', 'q4'];
    return {
      dtypes,
      fallbacks: [{ from: request, to: dtypes[0], reason: `${request} needs the shader-f16 feature, which this WebGPU adapter lacks` }],
    };
  }
  return { dtypes: [request], fallbacks: [] };
}

/** What is worth knowing about running `dtype` on `device` (shown in `info.notes`). */
export function dtypeNotes(dtype: Dtype, device: Device): string[] {
  if (device === 'webgpu' && (dtype === 'q8' || dtype === 'int8' || dtype === 'uint8')) {
    return [`${dtype} on WebGPU: MatMulInteger and DynamicQuantizeLinear have no WebGPU kernels, so onnxruntime runs ` +
      'them on the CPU with copies in between; fp16, q4f16 or q4 run wholly on the GPU'];
  }
  if (device === 'wasm' && NEEDS_SHADER_F16.includes(dtype)) {
    return [`${dtype} on wasm computes in fp32: no faster than ${dtype === 'fp16' ? 'fp32' : 'q4'}, only a smaller download`];
  }
  return [];
}

/** wasm threads: all cores where SharedArrayBuffer is allowed (cross-origin isolated), else 1. */
export function defaultThreadCount(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, cores) : 1;
}
