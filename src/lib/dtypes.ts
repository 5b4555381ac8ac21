/**
 * Everything the library knows about a dtype, in one frozen table: its file, what it needs and where it runs, how
 * `auto` ranks it, its self-check tolerance and the words a user sees. Candidate order, notes, tolerances, the known
 * models' dtype lists and the UI's dtype options are all read from here; nothing else lists dtypes by hand.
 *
 * What runs where on onnxruntime-web:
 * - fp32, fp16: every op has WebGPU kernels; fp16 needs the adapter's `shader-f16`, and on wasm computes in fp32.
 * - q4, q4f16: 4-bit weights in `MatMulNBits`, which has WebGPU kernels (and wasm ones): the whole graph runs on the
 *   GPU. q4f16 needs `shader-f16` on WebGPU.
 * - q8 (= `model_quantized.onnx`), int8, uint8: dynamic quantization, `DynamicQuantizeLinear` + `MatMulInteger`,
 *   which have no WebGPU kernels: on WebGPU onnxruntime runs them on the CPU with copies in between. Best on wasm.
 */
import type { Device, Dtype } from './types.ts';

export interface DtypeSpec {
  /** The file of the onnx-community export, inside the model folder (transformers.js' `dtype` → file). */
  readonly file: string;
  /** WebGPU runs it only where the adapter has the `shader-f16` feature. */
  readonly needsShaderF16: boolean;
  /** Devices with a kernel for every op of the graph (elsewhere some ops fall back to the CPU, or compute in fp32). */
  readonly runsOn: readonly Device[];
  /** Asked for on a WebGPU adapter without `shader-f16`: what to load instead, best first. */
  readonly withoutShaderF16: readonly Dtype[];
  /**
   * Rank in `auto`'s choice per device, 0 first; absent: `auto` never picks it there. Candidates are every ranked
   * dtype the device can run, best first; a missing file moves on to the next.
   */
  readonly autoRank: Readonly<Partial<Record<Device, number>>>;
  /**
   * Largest |Δlogit| of the load-time self-check against wasm on the same file. The file is the same on both sides,
   * so this bounds kernel differences only: fp32 is exact up to summation order; fp16 and q4f16 compute in half
   * precision on the GPU (wasm computes them in fp32); q8/int8/uint8 quantize activations per batch on both sides.
   */
  readonly selfCheckTolerance: number;
  /** What is worth knowing about running it on a device (shown in `info.notes`). */
  readonly notes: Readonly<Partial<Record<Device, string>>>;
  /** A short label for a select: the name and its precision. */
  readonly label: string;
  /** One line for a user choosing it. */
  readonly description: string;
}

const CPU_ON_WEBGPU = 'MatMulInteger and DynamicQuantizeLinear have no WebGPU kernels, so onnxruntime runs them on ' +
  'the CPU with copies in between; fp16, q4f16 or q4 run wholly on the GPU';
const halfOnWasm = (same: Dtype) => `computes in fp32: no faster than ${same}, only a smaller download`;

/** q8, int8, uint8: the same kernels, so the same row but for the file, the rank and the words. */
const dynamic = (name: 'q8' | 'int8' | 'uint8', autoRank: DtypeSpec['autoRank'], description: string): DtypeSpec => ({
  file: `onnx/model_${name === 'q8' ? 'quantized' : name}.onnx`,
  needsShaderF16: false,
  runsOn: ['wasm'],
  withoutShaderF16: [],
  autoRank,
  selfCheckTolerance: 0.1,
  notes: { webgpu: `${name} on WebGPU: ${CPU_ON_WEBGPU}` },
  label: `${name} (8-bit)`,
  description,
});

/** The dtypes, in the order lists show them (transformers.js' names). */
export const DTYPES: Readonly<Record<Dtype, DtypeSpec>> = deepFreeze({
  fp32: {
    file: 'onnx/model.onnx',
    needsShaderF16: false,
    runsOn: ['webgpu', 'wasm'],
    withoutShaderF16: [],
    autoRank: { webgpu: 2, wasm: 3 },
    selfCheckTolerance: 1e-3,
    notes: {},
    label: 'fp32 (full precision)',
    description: 'Full precision: the reference scores, the largest download.',
  },
  fp16: {
    file: 'onnx/model_fp16.onnx',
    needsShaderF16: true,
    runsOn: ['webgpu'],
    withoutShaderF16: ['fp32', 'q4'],
    autoRank: { webgpu: 0, wasm: 5 },
    selfCheckTolerance: 0.05,
    notes: { wasm: `fp16 on wasm ${halfOnWasm('fp32')}` },
    label: 'fp16 (half precision)',
    description: 'Half precision: the best choice on a GPU with shader-f16, half the download of fp32.',
  },
  // On WebGPU, q8 is the last resort: part of it runs on the CPU.
  q8: dynamic('q8', { wasm: 0, webgpu: 4 }, '8-bit weights and activations: the fastest on wasm (CPU), a quarter of fp32\'s download.'),
  int8: dynamic('int8', { wasm: 1 }, 'Signed 8-bit weights: like q8 (onnx-community\'s q8 file is its int8 one).'),
  uint8: dynamic('uint8', { wasm: 2 }, 'Unsigned 8-bit weights: like q8, for repositories that publish only this file.'),
  q4: {
    file: 'onnx/model_q4.onnx',
    needsShaderF16: false,
    runsOn: ['webgpu', 'wasm'],
    withoutShaderF16: [],
    autoRank: { webgpu: 3, wasm: 4 },
    selfCheckTolerance: 0.05,
    notes: {},
    label: 'q4 (4-bit)',
    description: '4-bit weights with fp32 compute: runs wholly on the GPU without shader-f16.',
  },
  q4f16: {
    file: 'onnx/model_q4f16.onnx',
    needsShaderF16: true,
    runsOn: ['webgpu'],
    withoutShaderF16: ['q4', 'fp32'],
    autoRank: { webgpu: 1, wasm: 6 },
    selfCheckTolerance: 0.05,
    notes: { wasm: `q4f16 on wasm ${halfOnWasm('q4')}` },
    label: 'q4f16 (4-bit, fp16)',
    description: '4-bit weights with half-precision compute: the smallest GPU download, needs shader-f16.',
  },
});

/** The dtype names in the table's order. */
export const DTYPE_ORDER: readonly Dtype[] = Object.freeze(Object.keys(DTYPES) as Dtype[]);

/** Each dtype's file inside the model folder (derived from {@link DTYPES}). */
export const ONNX_FILE_BY_DTYPE: Readonly<Record<Dtype, string>> = Object.freeze(
  Object.fromEntries(DTYPE_ORDER.map((dtype) => [dtype, DTYPES[dtype].file])) as Record<Dtype, string>);

/** transformers.js dtypes this library cannot load, and why (asked for, they fail with this reason). */
export const UNSUPPORTED_DTYPES: Readonly<Record<string, string>> = Object.freeze({
  bnb4: 'bnb4 (model_bnb4.onnx, MatMulBnb4) has no WebGPU kernel in onnxruntime-web, and this project cannot test ' +
    'it; use q4 or q4f16, the same 4-bit size with GPU kernels',
});

/** Whether `value` names a dtype of the table. */
export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPES, value);
}

/**
 * `auto`'s candidates on a device, best first: the dtypes ranked for it, less those that need `shader-f16` where
 * WebGPU lacks it.
 *
 * @example
 * autoDtypes('webgpu', true)  // → ['fp16', 'q4f16', 'fp32', 'q4', 'q8']
 * autoDtypes('webgpu', false) // → ['fp32', 'q4', 'q8']
 * autoDtypes('wasm', false)   // → ['q8', 'int8', 'uint8', 'fp32', 'q4', 'fp16', 'q4f16']
 */
export function autoDtypes(device: Device, shaderF16: boolean): Dtype[] {
  return DTYPE_ORDER
    .filter((dtype) => DTYPES[dtype].autoRank[device] !== undefined)
    .filter((dtype) => device !== 'webgpu' || shaderF16 || !DTYPES[dtype].needsShaderF16)
    .sort((a, b) => DTYPES[a].autoRank[device]! - DTYPES[b].autoRank[device]!);
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === 'object' && !Object.isFrozen(inner)) deepFreeze(inner as object);
  }
  return Object.freeze(value);
}
