import { defineConfig } from 'vite';

/**
 * The library build (`npm run build:lib` → dist/lib): ESM entries for the API (`index.js`) and the web component
 * (`element.js`), self-contained so a plain `<script type="module">` works without an import map: onnxruntime-web,
 * transformers.js and Lit are bundled in, the worker is its own file, and onnxruntime's .wasm sits beside it in
 * assets/, found relative to the worker's own URL. Type declarations come from `tsc -p tsconfig.lib.json`.
 *
 * Not `build.lib`: Vite's library mode inlines every `new URL(..., import.meta.url)` asset, which turned the 27 MB
 * .wasm into 72 MB of base64 inside both the worker and index.js. A plain multi-entry build that keeps the entries'
 * exports gives the same ESM entries with the worker and the .wasm as files.
 */
export default defineConfig({
  // Relative URLs for the worker and the .wasm: they sit beside the entries wherever the package is served from.
  base: './',
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
    copyPublicDir: false,
    modulePreload: false,
    rolldownOptions: {
      input: { index: 'src/index.ts', core: 'src/core.ts', element: 'src/element.ts' },
      preserveEntrySignatures: 'strict',
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
});
