import { describe, expect, it } from 'vitest';
import { RerankerSlot } from '../../src/ui/reranker-slot.ts';

class Fake {
  disposed = false;
  constructor(readonly key: string, readonly log: string[]) {}
  async dispose(): Promise<void> {
    this.disposed = true;
    this.log.push(`dispose ${this.key}`);
  }
}

describe('RerankerSlot', () => {
  it('reuses the reranker for the same key, disposes it before loading another, and forgets a failed load', async () => {
    const log: string[] = [];
    const slot = new RerankerSlot<Fake>();
    const create = (key: string) => async () => {
      log.push(`create ${key}`);
      if (key === 'bad') throw new Error('no such model');
      return new Fake(key, log);
    };
    expect(slot.holding).toBe(false);
    const a = await slot.get('a', create('a'));
    expect(await slot.get('a', create('a'))).toBe(a);
    expect(slot.holding).toBe(true);
    const b = await slot.get('b', create('b'));
    expect(a.disposed).toBe(true);
    expect(log).toEqual(['create a', 'dispose a', 'create b']);

    await expect(slot.get('bad', create('bad'))).rejects.toThrow('no such model');
    expect(b.disposed).toBe(true);
    expect(slot.holding).toBe(false);
    await expect(slot.get('bad', create('bad'))).rejects.toThrow('no such model');
    expect(log.filter((l) => l === 'create bad')).toHaveLength(2); // tried again, not a cached failure

    const c = await slot.get('c', create('c'));
    slot.clear();
    await Promise.resolve();
    await Promise.resolve();
    expect(c.disposed).toBe(true);
    expect(slot.holding).toBe(false);
  });
});
