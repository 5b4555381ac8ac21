/**
 * One file for a machine without npm (bundled by scripts/gpu/pack.sh): `node bench.mjs make-model ...` is
 * `npm run make-model -- ...`, `node bench.mjs bench ...` is `npm run bench -- --runtime node ...`.
 */
const [command] = process.argv.splice(2, 1);
if (command === 'make-model') await import('../make-model.ts');
else if (command === 'bench') await import('../bench/node-cli.ts');
else {
  console.error('usage: node bench.mjs make-model|bench [options]');
  process.exit(2);
}
export {};
