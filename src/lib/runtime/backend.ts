/**
 * Chooses the execution provider and the dtype. Backends are an ordered list (webgpu, then wasm); every preference
 * that is not honoured leaves a reason in `fallbacks`, which `reranker.info` and the UI show.
 */
import { autoDtypes, DTYPES } from '../dtypes.ts';
import type { AdapterInfo, Device, DeviceRequest, Dtype, DtypeRequest, Fallback } from '../types.ts';

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
 * The dtypes to try on a device, best first (from the table in dtypes.ts): the first whose file exists at the source
 * is loaded (one request in the usual case; a missing file moves on to the next, with the reason kept). `fallbacks`
 * says why a requested dtype was replaced before any file was read.
 *
 * @example
 * dtypeCandidates('auto', 'webgpu', adapterWithShaderF16).dtypes // → ['fp16', 'q4f16', 'fp32', 'q4', 'q8']
 * dtypeCandidates('auto', 'wasm', null).dtypes                   // → ['q8', 'int8', 'uint8', 'fp32', 'q4', 'fp16', 'q4f16']
 */
export function dtypeCandidates(request: DtypeRequest, device: Device, adapter: AdapterInfo | null):
  { dtypes: Dtype[]; fallbacks: Fallback[] } {
  const f16 = device === 'webgpu' && Boolean(adapter?.shaderF16);
  if (request === 'auto') return { dtypes: autoDtypes(device, f16), fallbacks: [] };
  const spec = DTYPES[request];
  if (device === 'webgpu' && !f16 && spec.needsShaderF16) {
    const dtypes = [...spec.withoutShaderF16];
    return {
      dtypes,
      fallbacks: [{ from: request, to: dtypes[0], reason: `${request} needs the shader-f16 feature, which this WebGPU adapter lacks` }],
    };
  }
  return { dtypes: [request], fallbacks: [] };
}

/** What is worth knowing about running `dtype` on `device` (shown in `info.notes`). */
export function dtypeNotes(dtype: Dtype, device: Device): string[] {
  const note = DTYPES[dtype].notes[device];
  return note ? [note] : [];
}

/** wasm threads: all cores where SharedArrayBuffer is allowed (cross-origin isolated), else 1. */
export function defaultThreadCount(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, cores) : 1;
}
