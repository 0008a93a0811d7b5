import { describe, expect, it } from 'vitest';
import { ApplyProgress } from './apply-progress.js';

describe('ApplyProgress', () => {
  it('wakes a waiter when its partition advances far enough, and times out otherwise', async () => {
    const progress = new ApplyProgress();
    let applied = 0;
    const waiting = progress.waitUntil(1, () => applied >= 5, 1_000);
    applied = 5;
    progress.advanced(0);
    progress.advanced(1);
    expect(await waiting).toBe(true);
    expect(await progress.waitUntil(1, () => false, 10)).toBe(false);
  });

  it('hands a conditional record’s outcome to a writer that asks before or after the apply', async () => {
    const progress = new ApplyProgress();
    const early = progress.waitForOutcome({ partition: 0, offset: 7n }, 1_000);
    progress.recordOutcome(
      { partition: 0, offset: 7n },
      { kind: 'conflict', reason: 'key-exists', currentVersion: { partition: 0, offset: 3n } },
    );
    expect(await early).toEqual({
      kind: 'conflict',
      reason: 'key-exists',
      currentVersion: { partition: 0, offset: 3n },
    });
    expect(await progress.waitForOutcome({ partition: 0, offset: 7n }, 10)).toMatchObject({
      kind: 'conflict',
    });
    expect(await progress.waitForOutcome({ partition: 0, offset: 8n }, 10)).toBeUndefined();
  });
});
