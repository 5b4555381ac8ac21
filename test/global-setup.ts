/**
 * Vitest's global setup: names this run, so the sites the browser tests build (tools/browser/site.ts) go to folders of
 * this run, and removes them when the run ends. A worker's own exit hooks do not run when vitest ends its processes,
 * and another run's folders (a concurrent `vitest` in the same checkout) are left alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SITE_RUN_VARIABLE } from '../tools/browser/site.ts';

export default function setup(): () => void {
  const run = randomUUID().slice(0, 8);
  process.env[SITE_RUN_VARIABLE] = run; // inherited by the test workers
  return () => {
    const root = path.resolve('node_modules');
    for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      if (name.startsWith(`.site-test-${run}-`)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  };
}
