import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicyPlugin } from './scripts/csp.ts';

/**
 * Cross-origin isolation for `npm run dev` and `npm run preview`: with these headers SharedArrayBuffer exists and
 * onnxruntime-web's wasm backend uses one thread per core. Static hosts need the same two headers (see README).
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Copies public/ into the build as Vite would, except files the browser never reads: the demo model's
 * model.safetensors (1 MB) is there for the Float64 reference (tools/reference) and the cross-check, which read it
 * from public/, but no page loads it.
 */
function copyPublicExcept(skip: RegExp): Plugin {
  let from = '';
  let to = '';
  return {
    name: 'bge-reranker:copy-public',
    apply: 'build',
    configResolved(config) {
      from = config.publicDir;
      to = path.resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      if (from && fs.existsSync(from)) fs.cpSync(from, to, { recursive: true, filter: (file) => !skip.test(file) });
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built site works from any host and any base path.
  base: './',
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  plugins: [
    copyPublicExcept(/\.safetensors$/),
    // The Content-Security-Policy (scripts/csp.ts): a <meta> in every page, and a header in dev and preview. A host
    // that serves models from another origin adds it to connect-src: CSP_CONNECT_SRC='https://models.example.org'.
    contentSecurityPolicyPlugin({ connect: process.env.CSP_CONNECT_SRC?.split(/\s+/).filter(Boolean) }),
  ],
  optimizeDeps: {
    // onnxruntime-web locates its .wasm relative to its own module; pre-bundling would move it.
    exclude: ['onnxruntime-web'],
    // Pre-bundled from the start: found later (the worker's first download), it would re-optimize and reload the page.
    include: ['@noble/hashes/sha2', '@noble/hashes/utils'],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    copyPublicDir: false, // copyPublicExcept does it
    rolldownOptions: {
      // The app and the RAG example page.
      input: { main: 'index.html', rag: 'rag.html' },
    },
  },
});
