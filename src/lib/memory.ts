/**
 * Memory the model uses, for the batch-size sweep (the seed watches memory as the hard limit). onnxruntime-web does
 * not report it, so we observe it: the wasm instance's memory (captured when the module is instantiated) and the bytes
 * of live WebGPU buffers (counted as they are created and destroyed). Install the probe before the first session.
 */
export interface MemoryUsage {
  /** Size of the wasm linear memory (the heap grows, never shrinks), or null if not observed. */
  wasmHeapBytes: number | null;
  /** Bytes in WebGPU buffers not yet destroyed, or null without WebGPU. */
  gpuBufferBytes: number | null;
  /** Most GPU buffer bytes alive at once since the last reset. */
  gpuBufferPeakBytes: number | null;
}

const memories: WebAssembly.Memory[] = [];
let gpuLive = 0;
let gpuPeak = 0;
let gpuObserved = false;
let installed = false;

function remember(instance: WebAssembly.Instance): void {
  for (const value of Object.values(instance.exports)) {
    if (value instanceof WebAssembly.Memory && !memories.includes(value)) memories.push(value);
  }
}

/** Wraps WebAssembly instantiation and GPUDevice.createBuffer once per realm. Safe to call many times. */
export function installMemoryProbe(): void {
  if (installed) return;
  installed = true;
  const wasm = WebAssembly as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['instantiate', 'instantiateStreaming'] as const) {
    const original = wasm[name];
    if (typeof original !== 'function') continue;
    wasm[name] = async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      const instance = result instanceof WebAssembly.Instance ? result : (result as { instance?: WebAssembly.Instance }).instance;
      if (instance) remember(instance);
      return result;
    };
  }
  const OriginalMemory = WebAssembly.Memory;
  // Threaded builds create their shared memory in JavaScript and import it.
  const PatchedMemory = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
    const memory = new OriginalMemory(descriptor);
    memories.push(memory);
    return memory;
  } as unknown as typeof WebAssembly.Memory;
  PatchedMemory.prototype = OriginalMemory.prototype;
  (WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = PatchedMemory;

  const device = (globalThis as { GPUDevice?: { prototype: Record<string, unknown> } }).GPUDevice;
  const bufferClass = (globalThis as { GPUBuffer?: { prototype: Record<string, unknown> } }).GPUBuffer;
  if (device && bufferClass) {
    gpuObserved = true;
    const sizes = new WeakMap<object, number>();
    const createBuffer = device.prototype.createBuffer as (this: unknown, d: { size: number }) => object;
    device.prototype.createBuffer = function (this: unknown, descriptor: { size: number }) {
      const buffer = createBuffer.call(this, descriptor);
      sizes.set(buffer, descriptor.size);
      gpuLive += descriptor.size;
      gpuPeak = Math.max(gpuPeak, gpuLive);
      return buffer;
    };
    const destroy = bufferClass.prototype.destroy as (this: object) => void;
    bufferClass.prototype.destroy = function (this: object) {
      const size = sizes.get(this);
      if (size !== undefined) {
        gpuLive -= size;
        sizes.delete(this);
      }
      return destroy.call(this);
    };
  }
}

export function readMemoryUsage(): MemoryUsage {
  const largest = memories.reduce((m, mem) => Math.max(m, mem.buffer.byteLength), 0);
  return {
    wasmHeapBytes: memories.length > 0 ? largest : null,
    gpuBufferBytes: gpuObserved ? gpuLive : null,
    gpuBufferPeakBytes: gpuObserved ? gpuPeak : null,
  };
}

export function resetGpuPeak(): void {
  gpuPeak = gpuLive;
}
