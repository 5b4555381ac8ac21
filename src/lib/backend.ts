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

/** The dtype to load on a device, with the reason when the request cannot be honoured there. */
export function chooseDtype(request: DtypeRequest, device: Device, adapter: AdapterInfo | null,
  available: readonly Dtype[]): { dtype: Dtype; fallbacks: Fallback[]; notes: string[] } {
  const fallbacks: Fallback[] = [];
  const notes: string[] = [];
  const pick = (preferred: Dtype[]): Dtype | undefined => preferred.find((d) => available.includes(d));
  let dtype: Dtype | undefined;
  if (request === 'auto') {
    const preferred: Dtype[] = device === 'wasm' ? ['q8', 'fp32', 'fp16'] : adapter?.shaderF16 ? ['fp16', 'fp32', 'q8'] : ['fp32', 'q8'];
    dtype = pick(preferred);
    if (device === 'webgpu' && !adapter?.shaderF16 && available.includes('fp16')) {
      fallbacks.push({ from: 'fp16', to: dtype ?? 'fp32', reason: 'the WebGPU adapter lacks shader-f16' });
    }
  } else if (request === 'fp16' && device === 'webgpu' && !adapter?.shaderF16) {
    dtype = pick(['fp32', 'q8']);
    fallbacks.push({ from: 'fp16', to: dtype ?? 'fp32', reason: 'fp16 needs the shader-f16 feature, which this WebGPU adapter lacks' });
  } else {
    dtype = request;
  }
  if (dtype === undefined) dtype = request === 'auto' ? 'fp32' : request;
  if (device === 'webgpu' && (dtype === 'q8' || dtype === 'q4')) {
    notes.push(`${dtype} on WebGPU: MatMulInteger and DynamicQuantizeLinear have no WebGPU kernels, so onnxruntime ` +
      'runs them on the CPU with copies in between; fp16 or fp32 is faster on a GPU');
  }
  if (device === 'wasm' && dtype === 'fp16') notes.push('fp16 on wasm computes in fp32: no faster than fp32, and half the download');
  return { dtype, fallbacks, notes };
}

export const ONNX_FILE_BY_DTYPE: Record<Dtype, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
};

/** wasm threads: all cores where SharedArrayBuffer is allowed (cross-origin isolated), else 1. */
export function defaultThreadCount(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, cores) : 1;
}
