import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type InlineConfig, type Plugin } from 'vite';

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
        // onnxruntime's plain wasm build (what the worker loads on wasm-only devices) keeps the name the Node build
        // loads from beside core.node.js, so the package carries one copy of its 14 MB, not two.
        assetFileNames: (asset) => (asset.names.some((n) => NODE_RUNTIME_FILES.includes(n)) ? '[name][extname]' : 'assets/[name]-[hash][extname]'),
      },
    },
  },
});

const resolvePath = (specifier: string) => fileURLToPath(import.meta.resolve(specifier));

/** onnxruntime-web's wasm-only Node build's two runtime files, which it loads from beside the importing module. */
const NODE_RUNTIME_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

function emitNodeRuntime(): Plugin {
  return {
    name: 'bge-reranker:node-runtime',
    generateBundle() {
      for (const fileName of NODE_RUNTIME_FILES) {
        this.emitFile({ type: 'asset', fileName, source: fs.readFileSync(resolvePath(`onnxruntime-web/${fileName}`)) });
      }
    },
  };
}

/**
 * `bge-reranker-web/core` under Node (the `node` condition of its export → dist/lib/core.node.js), built after the
 * browser entries into the same folder. The browser's `core.js` cannot run there: the `webgpu` bundle's embedded
 * loader has no Node code and wants `ort-wasm-simd-threaded.asyncify.mjs` beside it, and that asyncify .wasm keeps
 * Node from exiting for a minute or more after use (V8 finishes optimising its huge functions first). So Node gets
 * what the project's own Node tests run (vitest.config.ts makes the same alias): onnxruntime-web's Node build, the
 * same wasm kernels without WebGPU, which loads `ort-wasm-simd-threaded.mjs` and its 14 MB .wasm from beside
 * core.node.js. transformers.js stays its web build (its Node build `require`s onnxruntime-node and sharp, which this
 * dependency-free package does not have); only its tokenizers and `env` are used, and its onnxruntime import gets
 * the same alias, so there is one onnxruntime.
 */
export function nodeCoreConfig(): InlineConfig {
  return {
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    resolve: {
      alias: [
        // Under Node's conditions these give onnxruntime-web's Node build, and transformers.js' web build by path.
        { find: /^onnxruntime-web\/webgpu$/, replacement: resolvePath('onnxruntime-web') },
        { find: /^@huggingface\/transformers$/, replacement: path.join(path.dirname(resolvePath('@huggingface/transformers')), 'transformers.web.js') },
      ],
    },
    // Everything bundled (the package has no dependencies); Node's own modules stay imports.
    ssr: { noExternal: true, target: 'node' },
    plugins: [emitNodeRuntime()],
    build: {
      ssr: 'src/core.ts',
      outDir: 'dist/lib',
      emptyOutDir: false,
      target: 'node20',
      copyPublicDir: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: 'core.node.js', codeSplitting: false } },
    },
  };
}
