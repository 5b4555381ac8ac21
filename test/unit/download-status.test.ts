/**
 * What the app says of a download that resumed, of the bytes' check and of stored models (issue 21), in the user's
 * words (the controller's part: load-progress-estimate.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { describeModelStorage, describePersistence, describeResume, describeVerified } from '../../src/ui/model/storage-words.ts';

describe('the words', () => {
  it('say where a download resumed and why, and when the server made it start over', () => {
    expect(describeResume({ from: 196_608, cause: 'stored', ranged: true })).toBe('resumed at 196.6 KB: stored by an earlier visit');
    expect(describeResume({ from: 2_500_000, cause: 'retry', ranged: true })).toBe('resumed at 2.5 MB: the connection dropped');
    expect(describeResume({ from: 196_608, cause: 'retry', ranged: false }))
      .toBe('connection lost at 196.6 KB; the server cannot resume, so the file came again from the start');
  });

  it('name the check, the browser\'s hold and a model that was not kept', () => {
    expect(describeVerified('sha256')).toBe('SHA-256 checked');
    expect(describeVerified('size')).toBe('size checked');
    expect(describeVerified('none')).toBe('');
    expect(describePersistence(true)).toMatch(/not evicted/);
    expect(describePersistence(false)).toMatch(/may evict/);
    expect(describePersistence(null)).toMatch(/does not say/);
    expect(describeModelStorage({ kept: true, bytes: 412_041, persisted: false })).toBe('Kept in the browser cache (412.0 KB).');
    expect(describeModelStorage({ kept: false, bytes: 0, persisted: null, reason: 'QuotaExceededError' }))
      .toBe('Not kept in the browser cache (QuotaExceededError): it runs from memory, and the next load downloads it again.');
  });
});
