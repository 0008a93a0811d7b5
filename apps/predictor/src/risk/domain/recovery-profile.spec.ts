import { describe, expect, it } from 'vitest';
import { rankRecoveryProfile } from './recovery-profile.js';

const now = 10 * 3_600_000;
const MiB = 1024 * 1024;

describe('rankRecoveryProfile', () => {
  const shards = [
    // long-run hot but quiet now: 0.7·10 + 0.3·100 = 37
    { shardId: 'was-hot', heat: 100, recentHeat: 10, sizeBytes: 100 * MiB, lastAccessMs: now },
    // hot now: 0.7·60 + 0.3·50 = 57
    { shardId: 'hot-now', heat: 50, recentHeat: 60, sizeBytes: 300 * MiB, lastAccessMs: now },
    // as hot as hot-now but idle for two half-lives: 57/4 = 14.25
    {
      shardId: 'gone-idle',
      heat: 50,
      recentHeat: 60,
      sizeBytes: 10 * MiB,
      lastAccessMs: now - 2 * 3_600_000,
    },
    // ties with was-hot but smaller, so it is back sooner
    { shardId: 'small-twin', heat: 100, recentHeat: 10, sizeBytes: 50 * MiB, lastAccessMs: now },
  ];

  it('puts the hottest first, weighting recent access and decaying idle shards', () => {
    const profile = rankRecoveryProfile(0.5, shards, now);
    expect(profile.map((e) => e.shardId)).toEqual(['hot-now', 'small-twin', 'was-hot', 'gone-idle']);
    expect(profile.map((e) => e.rank)).toEqual([1, 2, 3, 4]);
    expect(profile[0]?.effectiveHeat).toBeCloseTo(57, 12);
    expect(profile[3]?.effectiveHeat).toBeCloseTo(57 / 4, 12);
  });

  it('scores shards by the node risk times their heat', () => {
    const profile = rankRecoveryProfile(0.5, shards, now);
    expect(profile[0]?.score).toBeCloseTo(0.5 * 57, 12);
    const total = 57 + 37 + 37 + 57 / 4;
    expect(profile[0]?.heatShare).toBeCloseTo(57 / total, 12);
    expect(rankRecoveryProfile(0, shards, now).every((e) => e.score === 0)).toBe(true);
  });

  it('marks where a restore budget runs out', () => {
    const profile = rankRecoveryProfile(0.5, shards, now, { budgetBytes: 400 * MiB });
    expect(profile.map((e) => e.cumulativeBytes / MiB)).toEqual([300, 350, 450, 460]);
    expect(profile.map((e) => e.withinBudget)).toEqual([true, true, false, false]);
  });

  it('rejects a risk that is not a probability', () => {
    expect(() => rankRecoveryProfile(2, shards, now)).toThrow(RangeError);
  });
});
