import { defineConfig } from 'vitest/config';
import { lavapipeEnvironment } from './scripts/webgpu/lavapipe.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // onnxruntime-web's wasm backend is single-threaded here; running files in parallel only adds contention.
    fileParallelism: false,
    // Names the run, and removes the sites its browser tests built when it ends.
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        // Node runs onnxruntime-web's Node build (the same wasm kernels); Chromium tests load the built pages.
        resolve: { alias: { 'onnxruntime-web/webgpu': 'onnxruntime-web' } },
        test: { name: 'node', include: ['test/unit/**/*.test.ts', 'test/browser/**/*.test.ts'] },
      },
      {
        extends: true,
        // The WebGPU tier: the `webgpu` build browsers load, on Dawn's Node bindings (scripts/webgpu/dawn.ts).
        // Compiling shaders on a CPU Vulkan driver is slow: one session per dtype, reused across tests.
        // Its workers start with the project's lavapipe (.cache/lavapipe) on their Vulkan and library paths: the
        // dynamic linker reads LD_LIBRARY_PATH only when a process starts, and a project's `env` is its workers' own.
        test: {
          name: 'webgpu',
          include: ['test/webgpu/**/*.test.ts'],
          // The first WebGPU session (shader compiles) took 440-490 s on a 2-core machine at load average ~20.
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
          env: lavapipeEnvironment(),
        },
      },
    ],
  },
});
