/** The benchmark's result as markdown tables (what `npm run bench` prints and BENCHMARKS.md quotes). */
import { kneeOf } from '../../src/lib/sweep/sweep.ts';
import type { BenchResult } from './run.ts';
import type { Spread } from './stats.ts';

const fixed = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const ms = (s: Spread) => `${fixed(s.median)} (${fixed(s.min)}–${fixed(s.max)})`;
const pct = (x: number) => `${fixed(x * 100, 0)} %`;
const ratio = (x: number) => `${fixed(x, 2)}×`;
const mib = (bytes: number | null) => (bytes === null ? '–' : `${fixed(bytes / 2 ** 20, 0)} MiB`);

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function reportMarkdown(r: BenchResult): string {
  const m = r.meta;
  const out: string[] = [];
  out.push(`## ${m.preset} preset (${m.model.layers} layers, hidden ${m.model.hidden}, vocab ${m.model.vocab}), ${m.dtype} on ${m.device}, ` +
    `${m.threads} threads${m.quick ? ' (quick)' : ''}`);
  out.push('');
  out.push(`${m.date.slice(0, 10)} · ${m.machine.cores} cores (${m.machine.cpu}), ${m.machine.memoryGiB} GiB, no GPU · ` +
    `Chromium ${m.browser.version}, cross-origin isolated: ${m.browser.crossOriginIsolated} · ` +
    `reranker: ${m.info.backend}/${m.info.dtype}, ${m.info.runtime?.numThreads ?? '–'} threads · onnxruntime-node ${m.native.onnxruntimeNode || '–'} · ` +
    `${m.rounds} measured round(s) per comparison; times are medians (min–max)`);

  if (r.sweep) {
    const knee = kneeOf(r.sweep.rows);
    out.push('', `### 1. The seed's table: ${r.sweep.pairs} pairs of ${r.sweep.tokens} tokens ` +
      `(${r.sweep.minTokens}–${r.sweep.maxTokens}), fixed batches`, '');
    out.push(table(['batch', 'batches/run', 'avg batch ms', 'p50 batch ms', 'pairs/s', 'wasm heap', 'status'],
      r.sweep.rows.map((row) => [
        `${row.batchSize}${row.batchSize === knee ? ' (knee)' : ''}`, String(row.batches), fixed(row.avgBatchMs), fixed(row.p50BatchMs),
        fixed(row.pairsPerSecond), mib(row.wasmHeapBytes), row.status === 'ok' ? 'ok' : `${row.status.toUpperCase()}: ${row.error ?? ''}`,
      ])));
    const pytorch = r.peers.pytorch;
    if (pytorch?.status === 'ran') {
      out.push('', `PyTorch CPU (sentence-transformers CrossEncoder, torch ${pytorch.result.torch ?? '?'}, ` +
        `${pytorch.result.threads ?? '?'} threads), same pairs: \`${pytorch.command}\``, '');
      out.push(table(['batch', 'ours pairs/s', 'PyTorch median ms per run of all pairs', 'PyTorch pairs/s', 'ours / PyTorch'],
        pytorch.result.rows.map((p) => {
          const ours = r.sweep!.rows.find((row) => row.batchSize === p.batchSize)?.pairsPerSecond ?? null;
          return [String(p.batchSize), fixed(ours), fixed(p.medianMs), fixed(p.pairsPerSecond), ours ? ratio(ours / p.pairsPerSecond) : '–'];
        })));
    }
  }
  if (r.peers.pytorch && r.peers.pytorch.status !== 'ran') out.push('', `PyTorch peer ${r.peers.pytorch.status}: ${r.peers.pytorch.reason}`);

  if (r.strategies) {
    const t = r.strategies.autoTune;
    out.push('', `### 2. Strategies, 1 query × N documents of mixed length (seed ${m.seed})`, '');
    out.push(`Auto-tune (d): from ${t.source}: knee at batch ${t.knee ?? '–'} → maxBatchTokens ${t.maxBatchTokens}, at most ${t.batchSize} pairs a batch.`);
    for (const s of r.strategies.tables) {
      out.push('', `**${s.docs} documents**, ${s.tokens} tokens (pairs of ${s.minTokens}–${s.maxTokens} tokens)`, '');
      out.push(table(['strategy', 'total ms', 'pairs/s', 'tokens/s', 'padded share (batched → run)', 'batches → runs', 'vs (a)', 'vs (b)'],
        s.rows.map((row) => [row.label, ms(row.totalMs), fixed(row.pairsPerSecond), fixed(row.tokensPerSecond, 0),
          `${pct(row.paddedShare)} → ${pct(row.executedPaddedShare)}`, `${row.batches} → ${row.runs}`, ratio(row.vsLoop), ratio(row.vsFixed16)])));
    }
  }

  if (r.tuning) {
    out.push('', '### Speed-ups measured in place (before → after, interleaved)', '');
    out.push(table(['change', 'workload', 'before ms (runs)', 'after ms (runs)', 'speed-up'],
      r.tuning.map((t) => [t.change, t.workload, `${ms(t.before)} (${t.beforeRuns})`, `${ms(t.after)} (${t.afterRuns})`, ratio(t.speedup)])));
  }

  if (r.ceiling) {
    out.push('', '### 3. The ceiling: same model, same padded batches', '');
    out.push('ours = `reranker.score` wall time in the page (tokenizing included; on wasm a padded batch may run as several ' +
      'tensors, counted in brackets); ours, same tensors = the same call with that off, so it runs exactly the bare ' +
      'tensors; ours (run) = the records\' runMs (feeds, session.run, logits); bare = `session.run` alone on a plain onnxruntime-web session in the same page; native = ' +
      '`session.run` in onnxruntime-node with the same thread count.', '');
    out.push(table(['workload', 'pairs', 'batches (ours: runs)', 'ours ms', 'ours, same tensors ms', 'bare ms', 'native ms',
      'browser bare / native', 'ours same tensors / bare', 'ours / bare'],
    r.ceiling.map((c) => [c.workload, String(c.pairs), `${c.batches} (${c.oursRuns})`, ms(c.ours), ms(c.oursSame), ms(c.bare), ms(c.native),
      ratio(c.browserOverNative), ratio(c.oursSameOverBare), ratio(c.oursOverBare)])));
  }

  if (r.coldStart) {
    out.push('', '### 4. Cold start: a fresh page to the first score', '');
    out.push(table(['model files from', 'files cached', 'createReranker ms', 'first score ms', 'navigation → ready ms', 'navigation → first score ms'],
      r.coldStart.map((c) => [c.source, `${c.filesFromCache}/${c.files}`, ms(c.loadMs), ms(c.firstScoreMs), ms(c.readySinceNavigationMs),
        ms(c.firstScoreSinceNavigationMs)])));
  }
  return `${out.join('\n')}\n`;
}
