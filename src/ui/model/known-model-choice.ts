/**
 * What the model picker shows and does, as pure functions (tested in Node): which dtype file a known model would
 * download for the current dtype and device settings, and what picking a model changes in the panel's form.
 */
import { dtypeCandidates } from '../../lib/runtime/backend.ts';
import { DTYPES } from '../../lib/dtypes.ts';
import { knownModel, publishedDtypes, type KnownModel } from '../../lib/files/known-models.ts';
import type { AdapterInfo, Device, DeviceRequest, Dtype, DtypeRequest } from '../../lib/types.ts';
import { formatBytes } from '../shared/format.ts';

/** One file the load may download, and on which device it would be the choice. */
export interface DownloadOption {
  dtype: Dtype;
  /** undefined: the repository does not publish this dtype. */
  bytes: number | undefined;
  /** Where this file is the choice: 'WebGPU', 'WebGPU without shader-f16', 'wasm' (joined with ' or '). */
  where: string;
}

interface Scenario {
  where: string;
  device: Device;
  adapter: AdapterInfo | null;
}

const gpu = (shaderF16: boolean): AdapterInfo => ({ vendor: '', architecture: '', description: '', isFallbackAdapter: false, shaderF16 });
const ON_GPU: Scenario = { where: 'WebGPU', device: 'webgpu', adapter: gpu(true) };
const ON_GPU_NO_F16: Scenario = { where: 'WebGPU without shader-f16', device: 'webgpu', adapter: gpu(false) };
const ON_WASM: Scenario = { where: 'wasm', device: 'wasm', adapter: null };

/**
 * The devices a load could end up on, as far as the page knows before loading (the worker probes the adapter then):
 * without `navigator.gpu`, or asked for wasm, only wasm; asked for WebGPU, a GPU with or without shader-f16; on
 * auto, any of the three (a software adapter runs on wasm).
 */
function scenarios(device: DeviceRequest, webgpu: boolean): Scenario[] {
  if (device === 'wasm' || !webgpu) return [ON_WASM];
  if (device === 'webgpu') return [ON_GPU, ON_GPU_NO_F16];
  return [ON_GPU, ON_GPU_NO_F16, ON_WASM];
}

/**
 * The ONNX file a load of `model` would download with these settings, one per distinct outcome: the core's own dtype
 * order (`dtypeCandidates`) on each device the load could end up on, skipping files the repository does not publish
 * (as the core does when a file is missing). An explicit dtype the repository lacks comes back with `bytes: undefined`.
 *
 * @example
 * downloadOptions(knownModel('onnx-community/bge-reranker-v2-m3-ONNX')!, 'auto', 'wasm', true)
 * // → [{ dtype: 'q8', bytes: 570727094, where: 'wasm' }]
 * downloadOptions(knownModel('onnx-community/bge-reranker-v2-m3-ONNX')!, 'auto', 'auto', true).map((o) => o.dtype)
 * // → ['fp16', 'fp32', 'q8']
 */
export function downloadOptions(model: KnownModel, dtype: DtypeRequest, device: DeviceRequest, webgpu: boolean): DownloadOption[] {
  const options: DownloadOption[] = [];
  for (const scenario of scenarios(device, webgpu)) {
    const candidates = dtypeCandidates(dtype, scenario.device, scenario.adapter).dtypes;
    const chosen = candidates.find((d) => d in model.downloadBytes) ?? candidates[0];
    const same = options.find((o) => o.dtype === chosen);
    if (same) same.where += ` or ${scenario.where}`;
    else options.push({ dtype: chosen, bytes: model.downloadBytes[chosen], where: scenario.where });
  }
  return options;
}

/**
 * One option as the picker shows it.
 *
 * @example
 * describeDownload({ dtype: 'q8', bytes: 570727094, where: 'wasm' })  // → 'q8 570.7 MB'
 * describeDownload({ dtype: 'q4', bytes: undefined, where: 'wasm' })  // → 'q4 not published for this model'
 */
export function describeDownload(option: DownloadOption): string {
  if (option.bytes === undefined) return `${option.dtype} not published for this model`;
  return `${option.dtype} ${formatBytes(option.bytes)}`;
}

/**
 * "568M" / "22.7M": parameter counts the way model cards give them.
 *
 * @example
 * formatParameters(568_000_000) // → '568M'
 * formatParameters(22_700_000)  // → '22.7M'
 */
export function formatParameters(count: number): string {
  const millions = count / 1e6;
  return `${millions >= 100 ? millions.toFixed(0) : String(Number(millions.toFixed(1)))}M`;
}

/** What picking a known model changes in the model panel's form. */
export interface KnownModelPick {
  source: 'hub';
  hubId: string;
  maxLength: number;
}

/**
 * Picking a known model selects the hub source with its id and keeps the max length within what the model allows.
 * Nothing is loaded: that waits for the Load button.
 *
 * @example
 * pickKnownModel(knownModel('Xenova/ms-marco-MiniLM-L-6-v2')!, 1024)
 * // → { source: 'hub', hubId: 'Xenova/ms-marco-MiniLM-L-6-v2', maxLength: 512 }
 */
export function pickKnownModel(model: KnownModel, maxLength: number): KnownModelPick {
  return { source: 'hub', hubId: model.id, maxLength: Number.isInteger(maxLength) ? Math.min(maxLength, model.maxTokens) : maxLength };
}

/**
 * A known hub model's ONNX files by path with their sizes: what the load shows as a file's total when the server does
 * not say (a compressed response without Content-Length). fp32 is left out: its weights are split over two files.
 *
 * @example
 * knownFileSizes('Xenova/ms-marco-MiniLM-L-6-v2')['onnx/model_quantized.onnx'] // → 23100000
 * knownFileSizes({ url: 'https://host/m/' })                                   // → {}
 */
export function knownFileSizes(model: unknown): Readonly<Record<string, number>> {
  const known = typeof model === 'string' ? knownModel(model) : undefined;
  if (!known) return {};
  return Object.fromEntries(publishedDtypes(known).filter((d) => d !== 'fp32').map((d) => [DTYPES[d].file, known.downloadBytes[d]!]));
}

/**
 * The model's compact 4-bit files (4-bit embedding tables: an export to host yourself), as the picker shows them, or
 * null where none was measured.
 *
 * @example
 * describeCompactExport(knownModel('onnx-community/bge-reranker-v2-m3-ONNX')!) // → 'q4f16 320.1 MB · q4 356.2 MB'
 * describeCompactExport(knownModel('Xenova/ms-marco-MiniLM-L-6-v2')!)         // → null
 */
export function describeCompactExport(model: KnownModel): string | null {
  const sizes = Object.entries(model.compactBytes ?? {}).map(([dtype, bytes]) => `${dtype} ${formatBytes(bytes)}`);
  return sizes.length ? sizes.join(' · ') : null;
}
