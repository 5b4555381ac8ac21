/**
 * Writes a pairs file for bench_crossencoder.py: the seed's ten Chinese pairs (cycled to `--total` pairs when asked),
 * or the cross-check's generated pairs.
 *
 * @example
 * // npx tsx scripts/crosscheck/pairs-json.ts .cache/bench/seed-10.json
 * //   → [["阿里巴巴和腾讯哪家公司成立更早?","腾讯成立于1998年11月,…"], …] (10 pairs)
 * // npx tsx scripts/crosscheck/pairs-json.ts .cache/bench/seed-32.json --total 32     (the 10 pairs cycled to 32)
 * // npx tsx scripts/crosscheck/pairs-json.ts .cache/bench/mixed-40.json --generated 40 --seed 7
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';
import { crosscheckPairs } from './pairs.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { total: { type: 'string' }, generated: { type: 'string' }, seed: { type: 'string', default: '7' } },
});
const out = positionals[0];
if (!out) {
  console.error('usage: tsx scripts/crosscheck/pairs-json.ts OUT.json [--total N] [--generated N --seed S]');
  process.exit(2);
}
const pairs: [string, string][] = values.generated
  ? crosscheckPairs({ count: Number(values.generated), seed: Number(values.seed), withSeedPairs: false })
    .map((p): [string, string] => [p.query, p.document])
  : Array.from({ length: Number(values.total ?? SEED_PAIRS.length) },
    (_, i): [string, string] => [...SEED_PAIRS[i % SEED_PAIRS.length]!]);
fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(pairs)}\n`);
console.log(`wrote ${pairs.length} pairs to ${out}`);
