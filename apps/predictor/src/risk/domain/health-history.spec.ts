import { describe, expect, it } from 'vitest';
import type { HealthAggregate } from './health-history.js';
import { samplesFromAggregates, splitIntoLives } from './health-history.js';
import type { HealthSample } from './health-sample.js';

const sample = (atMs: number, sampleCount = 12): HealthAggregate => ({
  atMs,
  diskReadP99Ms: 4,
  diskWriteP99Ms: 6,
  diskIoErrors: 0,
  diskQueueDepth: 1,
  cpu: 0.5,
  memoryBytes: 1e9,
  eventLoopDelayP99Ms: 10,
  errorLogRate: 0.1,
  sampleCount,
});

describe('samplesFromAggregates', () => {
  it('counts the samples a minute lacks and every sample of the silent minutes before it', () => {
    const minute = 60_000;
    const samples = samplesFromAggregates(
      [sample(0), sample(minute, 10), sample(4 * minute), sample(5 * minute, 12)],
      minute,
      5_000,
    );
    expect(samples.map((s) => s.missedHeartbeats)).toEqual([0, 2, 24, 0]);
    expect(samples[0]).not.toHaveProperty('sampleCount');
  });
});

describe('splitIntoLives', () => {
  const samples: HealthSample[] = samplesFromAggregates(
    Array.from({ length: 10 }, (_, i) => sample(i * 1_000, 1)),
    1_000,
    1_000,
  );
  const node = { nodeId: 'n', labels: { zone: 'a' }, samples };

  it('keeps a node that never failed as one running history', () => {
    expect(splitIntoLives(node, [], 0)).toEqual([{ nodeId: 'n', labels: { zone: 'a' }, samples }]);
  });

  it('gives one history per life, each ending at its failure, and merges records of one failure', () => {
    const lives = splitIntoLives(node, [3_500, 3_600, 7_500], 1_000);
    expect(lives.map((l) => [l.nodeId, l.samples.map((s) => s.atMs / 1_000), l.failureAtMs])).toEqual([
      ['n#1', [0, 1, 2, 3], 3_500],
      ['n#2', [4, 5, 6, 7], 7_500],
      ['n#3', [8, 9], undefined],
    ]);
  });
});
