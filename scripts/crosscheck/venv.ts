/**
 * The Python side of the cross-checks and of the PyTorch benchmark peer: a virtual environment in the git-ignored
 * `.venv` with CPU torch, transformers, tokenizers, sentence-transformers, safetensors, numpy, and onnx + onnxruntime
 * (+ onnx-ir, which onnxruntime's MatMulNBitsQuantizer imports) for the quantizer comparison. Created on first use;
 * afterwards only an import check runs. Never needed by `npm test`.
 *
 * Where packages come from: the local wheel folders when they exist (this project's build machines reach no public
 * Python index), else PyPI with PyTorch's CPU index for torch. `CROSSCHECK_PIP_ARGS` replaces the source arguments.
 *
 * @example
 * import { ensureVenv } from './venv.ts';
 * const python = ensureVenv(); // → '/work/main/.venv/bin/python' (created and filled on the first call)
 * existingVenvPython();         // → '/work/main/.venv/bin/python', or null when there is no working venv yet
 *
 * // or from a shell: prints the interpreter's path
 * // npx tsx scripts/crosscheck/venv.ts   → /work/main/.venv/bin/python
 */
import { execFileSync, spawnSync, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `CROSSCHECK_VENV` moves it (to try a fresh install without touching the shared one). */
export const VENV_DIR = path.resolve(process.env.CROSSCHECK_VENV ?? path.join(PROJECT_ROOT, '.venv'));
export const VENV_PYTHON = path.join(VENV_DIR, 'bin', 'python');

/** What the scripts import, as pip names; `import` names differ for two of them. */
export const PYTHON_PACKAGES = ['torch', 'transformers', 'tokenizers', 'sentence-transformers', 'safetensors', 'numpy',
  'onnx', 'onnxruntime', 'onnx-ir'];
const IMPORTS = ['torch', 'transformers', 'tokenizers', 'sentence_transformers', 'safetensors', 'numpy', 'onnx',
  'onnxruntime', 'onnx_ir'];

const LOCAL_WHEELS = '/opt/wheels';
const LOCAL_INDEXES = ['/opt/pypi/simple', '/opt/pypi-more/simple'];

/** pip arguments naming where packages come from. */
function pipSourceArgs(): string[] {
  const override = process.env.CROSSCHECK_PIP_ARGS;
  if (override) return override.split(/\s+/).filter(Boolean);
  const indexes = LOCAL_INDEXES.filter((dir) => fs.existsSync(dir));
  if (fs.existsSync(LOCAL_WHEELS) || indexes.length > 0) {
    // `--no-index` would also disable file:// indexes, so name them as the index instead: nothing public is asked.
    const args = fs.existsSync(LOCAL_WHEELS) ? ['--find-links', LOCAL_WHEELS] : [];
    indexes.forEach((dir, i) => args.push(i === 0 ? '--index-url' : '--extra-index-url', `file://${dir}`));
    if (indexes.length === 0) args.push('--no-index');
    return args;
  }
  // Plain PyPI's torch wheel pulls in CUDA (gigabytes); the CPU build is all these scripts use.
  return ['--extra-index-url', 'https://download.pytorch.org/whl/cpu'];
}

function importsWork(python: string): boolean {
  // find_spec, not import: torch and sentence-transformers take seconds to import, and this runs on every call.
  const code = `import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in ${JSON.stringify(IMPORTS)}) else 1)`;
  const probe = spawnSync(python, ['-c', code], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * The venv's python when `.venv` already exists and imports every package, else null; creates nothing (for callers
 * that only use the Python peer when someone has set it up).
 */
export function existingVenvPython(): string | null {
  return fs.existsSync(VENV_PYTHON) && importsWork(VENV_PYTHON) ? VENV_PYTHON : null;
}

/**
 * Makes sure `.venv` exists and imports every package; returns its python. Progress goes to stderr, so a caller's
 * stdout stays clean.
 */
export function ensureVenv({ quiet = false }: { quiet?: boolean } = {}): string {
  if (existingVenvPython()) return VENV_PYTHON;
  const log = (line: string) => { if (!quiet) process.stderr.write(`[venv] ${line}\n`); };
  const stdio: StdioOptions = quiet ? 'ignore' : ['ignore', 2, 2];
  if (!fs.existsSync(VENV_PYTHON)) {
    const base = process.env.PYTHON ?? 'python3';
    log(`creating ${path.relative(PROJECT_ROOT, VENV_DIR)} with ${base}`);
    execFileSync(base, ['-m', 'venv', VENV_DIR], { stdio });
  }
  const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...pipSourceArgs(), ...PYTHON_PACKAGES];
  log(`pip ${args.slice(2).join(' ')}`);
  execFileSync(VENV_PYTHON, args, { stdio });
  if (!importsWork(VENV_PYTHON)) {
    throw new Error(`${VENV_PYTHON} still cannot import ${IMPORTS.join(', ')} after pip install`);
  }
  return VENV_PYTHON;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${ensureVenv()}\n`);
}
