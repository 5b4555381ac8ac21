/**
 * npm run bench -- [--runtime browser|node] ...: the browser runtime (Chromium, scripts/bench/browser-cli.ts) or the
 * Node runtime on Dawn's WebGPU (scripts/bench/node-cli.ts). Each prints its own usage with --help.
 */
const at = process.argv.indexOf('--runtime');
const runtime = at >= 0 ? process.argv[at + 1] : process.argv.find((a) => a.startsWith('--runtime='))?.slice('--runtime='.length);
if (runtime === 'node') await import('./node-cli.ts');
else if (runtime === undefined || runtime === 'browser') await import('./browser-cli.ts');
else {
  console.error(`--runtime must be browser or node, got "${runtime}"`);
  process.exit(2);
}
export {};
