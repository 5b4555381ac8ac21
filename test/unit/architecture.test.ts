/**
 * The layout's rules, read from the sources' own imports (TypeScript's pre-processor: static, type-only and dynamic
 * imports alike): no import cycle; the core (`src/lib`) below the worker and the UI; the contract at `src/lib`'s root
 * below its wings; the product free of tests and tools; scripts and tools free of tests; no source file over 15 KB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SOURCE_FOLDERS = ['src', 'scripts', 'tools', 'test'];
const MAX_SOURCE_BYTES = 15_000;

/** Project-relative path of every TypeScript source, and the project files each imports (relative specifiers). */
function importGraph(): Map<string, string[]> {
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) sources.push(rel);
    }
  };
  SOURCE_FOLDERS.forEach(walk);
  const graph = new Map<string, string[]>();
  for (const file of sources) {
    const text = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((ref) => ref.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier.replace(/\?.*$/, '')));
        return target.endsWith('.js') && !fs.existsSync(path.join(PROJECT_ROOT, target)) ? `${target.slice(0, -3)}.ts` : target;
      })
      .filter((target) => /\.m?ts$/.test(target));
    graph.set(file, imports);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** Every import from a file matching `from` to a file matching `to`, as "importer -> imported". */
function importsBetween(graph: Map<string, string[]>, from: (file: string) => boolean, to: (file: string) => boolean): string[] {
  return [...graph].flatMap(([file, imports]) => (from(file) ? imports.filter(to).map((target) => `${file} -> ${target}`) : []));
}

const under = (...folders: string[]) => (file: string) => folders.some((folder) => file.startsWith(`${folder}/`));
/** `src/lib`'s root files other than its entry: the contract every wing may use. */
const isContract = (file: string) => /^src\/lib\/[^/]+\.ts$/.test(file) && file !== 'src/lib/index.ts';

describe('architecture', () => {
  const graph = importGraph();

  it('reads a graph of the whole project (guards against a walk that finds nothing)', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('src/lib/runtime/reranker.ts')).toContain('src/lib/ranking.ts');
    expect(graph.get('src/core.ts')).toContain('src/worker/serve.ts');
    expect(graph.get('scripts/bench/browser.ts')).toContain('tools/browser/harness.ts');
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('keeps the core below the worker and the UI, and the worker below the UI', () => {
    expect(importsBetween(graph, under('src/lib'), under('src/ui', 'src/worker'))).toEqual([]);
    expect(importsBetween(graph, under('src/worker'), under('src/ui'))).toEqual([]);
  });

  it("keeps src/lib's root contract below its wings", () => {
    expect(importsBetween(graph, isContract, (target) => target.startsWith('src/lib/') && !isContract(target))).toEqual([]);
  });

  it('keeps tests and tools out of the product, and tests out of scripts and tools', () => {
    expect(importsBetween(graph, under('src'), under('test', 'tools', 'scripts'))).toEqual([]);
    expect(importsBetween(graph, under('scripts', 'tools'), under('test'))).toEqual([]);
  });

  it(`has no source file over ${MAX_SOURCE_BYTES.toLocaleString('en')} bytes`, () => {
    const large = [...graph.keys()]
      .map((file) => ({ file, bytes: fs.statSync(path.join(PROJECT_ROOT, file)).size }))
      .filter(({ bytes }) => bytes > MAX_SOURCE_BYTES);
    expect(large).toEqual([]);
  });
});
