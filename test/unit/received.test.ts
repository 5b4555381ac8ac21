/**
 * The bytes of a download so far (src/lib/files/received.ts): one buffer of the declared size, chunks where the size
 * is unknown, and a spilling download's chunks, whose stored part is dropped and can be taken back.
 */
import { describe, expect, it } from 'vitest';
import { Received } from '../../src/lib/files/received.ts';

const file = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251);
const chunksOf = (bytes: Uint8Array, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('Received', () => {
  it.each([['a declared size', 1000, false], ['no declared size', null, false], ['spilling', 1000, true]] as const)(
    '%s: slices and the whole file as they arrived, the first bytes kept as head', (_, size, spill) => {
      const received = new Received(size, spill);
      for (const chunk of chunksOf(file, 37)) expect(received.append(chunk)).toBe(true);
      expect(received.length).toBe(1000);
      expect(received.slice(100, 333)).toEqual(file.slice(100, 333));
      expect(received.bytes()).toEqual(file);
      expect(received.head).toEqual(file.slice(0, 256));
    });

  it('refuses bytes past the declared size, spilling or not, until the size is dropped', () => {
    for (const spill of [false, true]) {
      const received = new Received(100, spill);
      expect(received.append(file.subarray(0, 90))).toBe(true);
      expect(received.append(file.subarray(90, 120))).toBe(false);
      received.growable();
      expect(received.append(file.subarray(90, 120))).toBe(true);
      expect(received.bytes()).toEqual(file.slice(0, 120));
    }
  });

  it('spilling: drops what was stored, slices what is left, and takes the stored part back', () => {
    const received = new Received(1000, true);
    for (const chunk of chunksOf(file, 64)) received.append(chunk);
    received.drop(300); // mid-chunk
    expect(received.dropped).toBe(300);
    expect(received.slice(300, 700)).toEqual(file.slice(300, 700));
    expect(() => received.slice(299, 400)).toThrow(/dropped/);
    expect(received.bytes()).toBeNull(); // not whole in memory
    expect(received.head).toEqual(file.slice(0, 256)); // kept whatever is dropped
    expect(() => received.restore(file.slice(0, 200))).toThrow(/300 were dropped/);
    received.restore(file.slice(0, 300));
    expect(received.bytes()).toEqual(file);
  });

  it('not spilling: drop keeps everything', () => {
    for (const size of [1000, null]) {
      const received = new Received(size);
      received.append(file);
      received.drop(500);
      expect(received.dropped).toBe(0);
      expect(received.bytes()).toEqual(file);
    }
  });
});
