/**
 * WebGPU in Node: Dawn's Node bindings (npm `webgpu`, the engine of Chromium's WebGPU) as `navigator.gpu`, so the
 * core runs onnxruntime-web's WebGPU execution provider outside a browser. On this project's CPU machines the Vulkan
 * driver is Mesa 25's lavapipe, which offers `shader-f16`, unpacked into .cache/lavapipe by
 * scripts/webgpu/fetch-lavapipe.sh (scripts/webgpu/lavapipe.ts); on a machine with a GPU and a Vulkan driver, the same
 * code reaches the GPU. Used by the WebGPU test tier and `npm run bench -- --runtime
 * node`; the product itself never imports this.
 */
import fs from 'node:fs';
import { readProjectLavapipe, startedWithLavapipeLibraries } from './lavapipe.ts';

/** The little of the WebGPU API this harness touches (the project's types stay free of @webgpu/types). */
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface DawnAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  shaderF16: boolean;
}

export interface DawnInstall {
  adapter: DawnAdapter | null;
  /** Why there is no adapter, when there is none. */
  reason?: string;
  /** The Vulkan driver manifest used, when one was chosen here. */
  icd?: string;
}

/** Mesa's lavapipe manifest: the project's own (.cache/lavapipe), else where Debian's package puts it. */
export function findLavapipeIcd(dir = '/usr/share/vulkan/icd.d'): string | undefined {
  const projectIcd = readProjectLavapipe()?.icd;
  if (projectIcd) return projectIcd;
  try {
    const file = fs.readdirSync(dir).find((f) => /^lvp_icd.*\.json$/.test(f));
    return file && `${dir}/${file}`;
  } catch {
    return undefined;
  }
}

/**
 * dawn.node refuses `GPUQueue.writeBuffer` with a view onto a SharedArrayBuffer ("Invalid argument"), and
 * onnxruntime-web's wasm heap is shared memory. Browsers accept such views, so this copy lives in the Node harness
 * only: the product code is what browsers run.
 */
function copySharedViewsInWriteBuffer(queuePrototype: { writeBuffer: (...args: unknown[]) => unknown }): void {
  const original = queuePrototype.writeBuffer;
  if ((original as { copiesSharedViews?: boolean }).copiesSharedViews) return;
  const patched = function (this: unknown, buffer: unknown, offset: unknown, data: unknown, ...rest: unknown[]) {
    if (ArrayBuffer.isView(data) && typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) {
      // A copy of the same type: dataOffset and size count its elements as they counted the original's.
      const View = data.constructor as new (source: ArrayBufferView) => ArrayBufferView;
      data = new View(data);
    }
    return original.call(this, buffer, offset, data, ...rest);
  };
  Object.assign(patched, { copiesSharedViews: true });
  queuePrototype.writeBuffer = patched;
}

/**
 * Gives this process `navigator.gpu` from dawn.node (once) and requests an adapter. With no `VK_ICD_FILENAMES` set,
 * lavapipe is chosen when it is installed and `useLavapipe` is not false; on a GPU machine set `useLavapipe: false`
 * (or point `VK_ICD_FILENAMES` / `VK_DRIVER_FILES` at the GPU's driver).
 */
export async function installDawn({ useLavapipe = true }: { useLavapipe?: boolean } = {}): Promise<DawnInstall> {
  let icd: string | undefined;
  if (useLavapipe && !process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    icd = findLavapipeIcd();
    if (icd) process.env.VK_ICD_FILENAMES = icd; // read by the Vulkan loader when Dawn creates its instance
  }
  let dawn: DawnModule;
  try {
    const specifier = 'webgpu'; // a dev dependency: not resolved by the type checker or by bundlers
    dawn = (await import(specifier)) as DawnModule;
  } catch (error) {
    return { adapter: null, reason: `npm "webgpu" (dawn.node) is not installed: ${(error as Error).message}`, icd };
  }
  const existing = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!existing) {
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true, writable: true });
  }
  const gpu = (globalThis as unknown as { navigator: { gpu: GpuLike } }).navigator.gpu;
  const GPUQueueClass = (globalThis as { GPUQueue?: { prototype: { writeBuffer: (...args: unknown[]) => unknown } } }).GPUQueue;
  if (GPUQueueClass) copySharedViewsInWriteBuffer(GPUQueueClass.prototype);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const manifest = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? 'system default';
    const lavapipe = readProjectLavapipe();
    const hint = lavapipe && icd === lavapipe.icd && !startedWithLavapipeLibraries(lavapipe)
      ? `; the project's lavapipe needs LD_LIBRARY_PATH=${lavapipe.libraryDir} from the process's start: run under scripts/webgpu/with-lavapipe.sh`
      : !lavapipe && !icd ? '; run scripts/webgpu/fetch-lavapipe.sh (or scripts/setup-test-env.sh) to unpack Mesa 25 lavapipe into .cache/lavapipe' : '';
    return { adapter: null, reason: `no Vulkan adapter (driver manifest: ${manifest})${hint}`, icd };
  }
  const info = adapter.info;
  return {
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
      shaderF16: adapter.features.has('shader-f16'),
    },
    icd,
  };
}

/** One line for logs and tables: vendor, architecture, description, and whether shader-f16 is there. */
export function describeDawnAdapter(a: DawnAdapter): string {
  return `${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ')}${a.isFallbackAdapter ? ' (software)' : ''}, ` +
    `shader-f16 ${a.shaderF16 ? 'yes' : 'no'}`;
}
