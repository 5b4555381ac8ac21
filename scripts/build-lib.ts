/**
 * `npm run build:lib`: the library build into dist/lib (vite.lib.config.ts: the browser entries, then `core.node.js`,
 * the core for Node with onnxruntime-web's Node build and its .wasm beside it), then its type declarations
 * (tsconfig.lib.json) with relative `.ts` specifiers turned into `.js`, which every TypeScript setup resolves to the
 * `.d.ts` beside it (tsc keeps `.ts` specifiers in declarations as written).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import { nodeCoreConfig } from '../vite.lib.config.ts';

// Production builds of the bundled libraries (Lit's dev mode is picked by NODE_ENV), also when called from a test run.
process.env.NODE_ENV = 'production';
const root = path.resolve(import.meta.dirname, '..');
const typesDir = path.join(root, 'dist/lib/types');

await build({ configFile: path.join(root, 'vite.lib.config.ts'), root, mode: 'production' });
await build({ ...nodeCoreConfig(), root, mode: 'production' });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.lib.json'], { cwd: root, stdio: 'inherit' });

let rewritten = 0;
for (const entry of fs.readdirSync(typesDir, { recursive: true, encoding: 'utf8' })) {
  if (!entry.endsWith('.d.ts')) continue;
  const file = path.join(typesDir, entry);
  const text = fs.readFileSync(file, 'utf8');
  const fixed = text.replace(/((?:from|import)\s+'\.{1,2}\/[^']*)\.ts'/g, "$1.js'");
  if (fixed !== text) {
    fs.writeFileSync(file, fixed);
    rewritten++;
  }
}
console.log(`declarations: ${rewritten} files had .ts specifiers rewritten to .js`);
