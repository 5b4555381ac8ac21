import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node runs onnxruntime-web's Node build (the same wasm kernels); the `webgpu` bundle is browser-only.
    alias: { 'onnxruntime-web/webgpu': 'onnxruntime-web' },
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // onnxruntime-web's wasm backend is single-threaded here; running files in parallel only adds contention.
    fileParallelism: false,
  },
});
