import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built site works from any host and any base path.
  base: './',
  worker: { format: 'es' },
  optimizeDeps: {
    // onnxruntime-web locates its .wasm relative to its own module; pre-bundling would move it.
    exclude: ['onnxruntime-web'],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
  },
});
