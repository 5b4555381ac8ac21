/**
 * `--peers pytorch`: the same pairs through sentence-transformers' CrossEncoder on CPU, by
 * scripts/crosscheck/bench_crossencoder.py (written and kept by the crosscheck side, run in the project's .venv).
 * Skipped, with the reason, when the venv or the script is absent.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PEER_SCRIPT = 'scripts/crosscheck/bench_crossencoder.py';
export const PEER_PYTHON = '.venv/bin/python';

export interface PeerRow {
  batchSize: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  pairsPerSecond: number;
}

export interface PeerResult {
  peer: string;
  torch?: string;
  threads?: number;
  rows: PeerRow[];
}

export type PeerOutcome = { status: 'ran'; result: PeerResult; command: string } | { status: 'skipped' | 'failed'; reason: string };

export function runPytorchPeer(root: string, options: {
  modelDir: string;
  pairs: [string, string][];
  batchSizes: number[];
  threads: number;
  repeats: number;
  warmup: number;
  workDir: string;
}): PeerOutcome {
  const python = path.join(root, PEER_PYTHON);
  const script = path.join(root, PEER_SCRIPT);
  if (!fs.existsSync(python)) return { status: 'skipped', reason: `no ${PEER_PYTHON} (create the crosscheck venv first)` };
  if (!fs.existsSync(script)) return { status: 'skipped', reason: `no ${PEER_SCRIPT} in this checkout` };
  if (!fs.existsSync(path.join(options.modelDir, 'model.safetensors'))) {
    return { status: 'skipped', reason: `${options.modelDir} has no model.safetensors (generate it without --no-safetensors)` };
  }
  fs.mkdirSync(options.workDir, { recursive: true });
  const pairsFile = path.join(options.workDir, 'peer-pairs.json');
  const outFile = path.join(options.workDir, 'peer-pytorch.json');
  fs.writeFileSync(pairsFile, JSON.stringify(options.pairs));
  fs.rmSync(outFile, { force: true });
  const args = [script, '--model', options.modelDir, '--pairs', pairsFile, '--batch-sizes', options.batchSizes.join(','),
    '--threads', String(options.threads), '--repeats', String(options.repeats), '--warmup', String(options.warmup),
    '--max-length', '512', '--out', outFile];
  const command = [PEER_PYTHON, ...args.map((a) => path.relative(root, a) || a)].join(' ');
  const result = spawnSync(python, args, { cwd: root, encoding: 'utf8', timeout: 20 * 60_000 });
  if (result.status !== 0 || !fs.existsSync(outFile)) {
    const tail = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim().split('\n').slice(-5).join(' | ');
    return { status: 'failed', reason: `\`${command}\` exited ${result.status}: ${tail}` };
  }
  const parsed = JSON.parse(fs.readFileSync(outFile, 'utf8')) as PeerResult;
  if (!Array.isArray(parsed.rows)) return { status: 'failed', reason: `${outFile} has no rows` };
  return { status: 'ran', result: parsed, command };
}
