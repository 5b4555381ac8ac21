/** The memory probe: one per realm, and it sees the wasm memory of a module instantiated after it was installed. */
import { expect, it } from 'vitest';
import { installMemoryProbe } from '../../src/lib/runtime/memory.ts';

/** A wasm module that exports one memory of one page: (module (memory (export "memory") 1)). */
const ONE_PAGE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0]);

it('is installed once per realm and reads the heap of wasm instantiated afterwards', async () => {
  const probe = installMemoryProbe();
  expect(installMemoryProbe()).toBe(probe);
  expect(probe.read()).toEqual({ wasmHeapBytes: null, gpuBufferBytes: null, gpuBufferPeakBytes: null });
  await WebAssembly.instantiate(ONE_PAGE);
  expect(probe.read().wasmHeapBytes).toBe(65_536);
  const grown = new WebAssembly.Memory({ initial: 3 }); // threaded builds make their memory in JavaScript
  expect(grown).toBeInstanceOf(WebAssembly.Memory);
  expect(probe.read().wasmHeapBytes).toBe(3 * 65_536);
});
