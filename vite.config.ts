import { defineConfig } from 'vite';

/**
 * Cross-origin isolation for `npm run dev` and `npm run preview`: with these headers SharedArrayBuffer exists and
 * onnxruntime-web's wasm backend uses one thread per core. Static hosts need the same two headers (see README).
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset URLs: the built site works from any host and any base path.
  base: './',
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  optimizeDeps: {
    // onnxruntime-web locates its .wasm relative to its own module; pre-bundling would move it.
    exclude: ['onnxruntime-web'],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rolldownOptions: {
      // The app and the RAG example page.
      input: { main: 'index.html', rag: 'rag.html' },
    },
  },
});
