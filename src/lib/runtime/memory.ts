/**
 * Memory the model uses, for the batch-size sweep (the seed watches memory as the hard limit). onnxruntime-web does
 * not report it, so a probe observes it: the wasm instance's memory (captured when the module is instantiated) and the
 * bytes of live WebGPU buffers (counted as they are created and destroyed). Install the probe before the first session.
 */
export interface MemoryUsage {
  /** Size of the wasm linear memory (the heap grows, never shrinks), or null if not observed. */
  wasmHeapBytes: number | null;
  /** Bytes in WebGPU buffers not yet destroyed, or null without WebGPU. */
  gpuBufferBytes: number | null;
  /** Most GPU buffer bytes alive at once since the probe was installed. */
  gpuBufferPeakBytes: number | null;
}

export interface MemoryProbe {
  read(): MemoryUsage;
}

/** What no probe observes: every figure unknown. */
export const UNOBSERVED_MEMORY: Readonly<MemoryUsage> = Object.freeze({ wasmHeapBytes: null, gpuBufferBytes: null, gpuBufferPeakBytes: null });

/** Where a realm keeps its one probe: patching WebAssembly and GPUDevice twice would count everything twice. */
const REALM_PROBE = Symbol.for('bge-reranker-web.memory-probe');

class PatchingProbe implements MemoryProbe {
  private readonly memories: WebAssembly.Memory[] = [];
  private gpuLive = 0;
  private gpuPeak = 0;
  private gpuObserved = false;

  /** Wraps WebAssembly instantiation and GPUDevice.createBuffer of this realm. */
  install(): void {
    const wasm = WebAssembly as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const remember = (memory: WebAssembly.Memory) => {
      if (!this.memories.includes(memory)) this.memories.push(memory);
    };
    for (const name of ['instantiate', 'instantiateStreaming'] as const) {
      const original = wasm[name];
      if (typeof original !== 'function') continue;
      wasm[name] = async function (this: unknown, ...args: unknown[]) {
        const result = await original.apply(this, args);
        const instance = result instanceof WebAssembly.Instance ? result : (result as { instance?: WebAssembly.Instance }).instance;
        for (const value of Object.values(instance?.exports ?? {})) if (value instanceof WebAssembly.Memory) remember(value);
        return result;
      };
    }
    const OriginalMemory = WebAssembly.Memory;
    // Threaded builds create their shared memory in JavaScript and import it.
    const PatchedMemory = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
      const memory = new OriginalMemory(descriptor);
      remember(memory);
      return memory;
    } as unknown as typeof WebAssembly.Memory;
    PatchedMemory.prototype = OriginalMemory.prototype;
    (WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = PatchedMemory;

    const device = (globalThis as { GPUDevice?: { prototype: Record<string, unknown> } }).GPUDevice;
    const bufferClass = (globalThis as { GPUBuffer?: { prototype: Record<string, unknown> } }).GPUBuffer;
    if (!device || !bufferClass) return;
    this.gpuObserved = true;
    const sizes = new WeakMap<object, number>();
    const createBuffer = device.prototype.createBuffer as (this: unknown, d: { size: number }) => object;
    const onCreate = (buffer: object, size: number) => {
      sizes.set(buffer, size);
      this.gpuLive += size;
      this.gpuPeak = Math.max(this.gpuPeak, this.gpuLive);
    };
    const onDestroy = (buffer: object) => {
      const size = sizes.get(buffer);
      if (size === undefined) return;
      this.gpuLive -= size;
      sizes.delete(buffer);
    };
    device.prototype.createBuffer = function (this: unknown, descriptor: { size: number }) {
      const buffer = createBuffer.call(this, descriptor);
      onCreate(buffer, descriptor.size);
      return buffer;
    };
    const destroy = bufferClass.prototype.destroy as (this: object) => void;
    bufferClass.prototype.destroy = function (this: object) {
      onDestroy(this);
      return destroy.call(this);
    };
  }

  read(): MemoryUsage {
    const largest = this.memories.reduce((m, mem) => Math.max(m, mem.buffer.byteLength), 0);
    return {
      wasmHeapBytes: this.memories.length > 0 ? largest : null,
      gpuBufferBytes: this.gpuObserved ? this.gpuLive : null,
      gpuBufferPeakBytes: this.gpuObserved ? this.gpuPeak : null,
    };
  }
}

/**
 * This realm's memory probe, installed on the first call (later calls return the same one).
 *
 * @example
 * const probe = installMemoryProbe(); // in the worker, before the first session
 * probe.read() // → { wasmHeapBytes: 67108864, gpuBufferBytes: null, gpuBufferPeakBytes: null }
 */
export function installMemoryProbe(): MemoryProbe {
  const realm = globalThis as { [REALM_PROBE]?: MemoryProbe };
  let probe = realm[REALM_PROBE];
  if (!probe) {
    const patching = new PatchingProbe();
    patching.install();
    probe = realm[REALM_PROBE] = patching;
  }
  return probe;
}
