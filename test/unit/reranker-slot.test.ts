import { describe, expect, it } from 'vitest';
import { RerankerSlot } from '../../src/ui/shared/reranker-slot.ts';

class Fake {
  disposed = false;
  constructor(readonly key: string, readonly log: string[]) {}
  async dispose(): Promise<void> {
    this.disposed = true;
    this.log.push(`dispose ${this.key}`);
  }
}

/** A load that finishes when the test says so, and records whether it saw its signal abort. */
function deferredLoad(key: string, log: string[]) {
  let finish!: (ok: boolean) => void;
  const state = { signal: null as AbortSignal | null };
  const create = (signal: AbortSignal) => {
    state.signal = signal;
    log.push(`create ${key}`);
    return new Promise<Fake>((resolve, reject) => {
      finish = (ok) => (ok ? resolve(new Fake(key, log)) : reject(new Error(`no model at ${key}`)));
    });
  };
  return { create, finish: (ok: boolean) => finish(ok), state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RerankerSlot', () => {
  it('reuses the reranker for the same key and loads a new key while the old one stays usable', async () => {
    const log: string[] = [];
    const slot = new RerankerSlot<Fake>();
    expect(slot.holding).toBe(false);
    const a = await slot.get('a', async () => new Fake('a', log));
    expect(await slot.get('a', async () => new Fake('again', log))).toBe(a);
    expect(slot.current).toBe(a);

    const b = deferredLoad('b', log);
    const loadingB = slot.get('b', b.create);
    await settle();
    // While b loads, a is still the one to use, and not disposed.
    expect(slot.loading).toBe(true);
    expect(slot.current).toBe(a);
    expect(a.disposed).toBe(false);
    b.finish(true);
    const loadedB = await loadingB;
    expect(slot.current).toBe(loadedB);
    expect(slot.currentKey).toBe('b');
    await settle();
    expect(a.disposed).toBe(true);
    expect(log).toEqual(['create b', 'dispose a']);
  });

  it('keeps the held reranker when a load fails, and tries a failed key again on the next ask', async () => {
    const log: string[] = [];
    const slot = new RerankerSlot<Fake>();
    const a = await slot.get('a', async () => new Fake('a', log));
    const bad = deferredLoad('bad', log);
    const loading = slot.get('bad', bad.create);
    bad.finish(false);
    await expect(loading).rejects.toThrow('no model at bad');
    expect(slot.current).toBe(a);
    expect(a.disposed).toBe(false);
    expect(slot.loading).toBe(false);
    const again = deferredLoad('bad', log);
    const retry = slot.get('bad', again.create);
    again.finish(false);
    await expect(retry).rejects.toThrow('no model at bad');
    expect(log.filter((l) => l === 'create bad')).toHaveLength(2); // tried again, not a cached failure
    expect(await slot.get('a', async () => new Fake('reloaded', log))).toBe(a); // back to a: no reload
  });

  it('aborts a load that a newer ask supersedes, and disposes it if it still arrives', async () => {
    const log: string[] = [];
    const slot = new RerankerSlot<Fake>();
    const first = deferredLoad('first', log);
    const loadingFirst = slot.get('first', first.create);
    const second = deferredLoad('second', log);
    const loadingSecond = slot.get('second', second.create);
    expect(first.state.signal?.aborted).toBe(true);
    expect(second.state.signal?.aborted).toBe(false);
    first.finish(true); // it ignored its signal and arrived anyway
    await expect(loadingFirst).rejects.toMatchObject({ name: 'AbortError' });
    second.finish(true);
    expect((await loadingSecond).key).toBe('second');
    await settle();
    expect(log).toContain('dispose first');
    expect(slot.current?.key).toBe('second');
  });

  it('cancel() stops the load in flight and keeps the held one; clear() disposes everything', async () => {
    const log: string[] = [];
    const slot = new RerankerSlot<Fake>();
    const a = await slot.get('a', async () => new Fake('a', log));
    const b = deferredLoad('b', log);
    const loadingB = slot.get('b', b.create);
    slot.cancel();
    expect(b.state.signal?.aborted).toBe(true);
    b.finish(true);
    await expect(loadingB).rejects.toMatchObject({ name: 'AbortError' });
    expect(slot.current).toBe(a);

    slot.clear();
    await settle();
    expect(a.disposed).toBe(true);
    expect(slot.current).toBeNull();
    expect(slot.holding).toBe(false);
  });

  it('turns a create that throws at once into a rejection', async () => {
    const slot = new RerankerSlot<Fake>();
    await expect(slot.get('x', () => {
      throw new Error('bad options');
    })).rejects.toThrow('bad options');
    expect(slot.holding).toBe(false);
  });
});
