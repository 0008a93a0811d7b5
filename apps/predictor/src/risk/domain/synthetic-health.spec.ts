import { describe, expect, it } from 'vitest';
import { mean } from '../../forecasting/domain/index.js';
import { generateFleet, generateNodeHealth } from './synthetic-health.js';

const HOUR_MS = 3_600_000;
const base = { startMs: 0, intervalMs: 5 * 60_000, endMs: 24 * HOUR_MS };

describe('generateNodeHealth', () => {
  it('replays the same history for the same seed', () => {
    expect(generateNodeHealth({ ...base, nodeId: 'a', seed: 1 })).toEqual(
      generateNodeHealth({ ...base, nodeId: 'a', seed: 1 }),
    );
    expect(generateNodeHealth({ ...base, nodeId: 'a', seed: 2 }).samples[0]).not.toEqual(
      generateNodeHealth({ ...base, nodeId: 'a', seed: 1 }).samples[0],
    );
  });

  it('keeps a healthy disk steady', () => {
    const node = generateNodeHealth({ ...base, nodeId: 'a', seed: 1 });
    expect(node.samples).toHaveLength(24 * 12);
    expect(node.failureAtMs).toBeUndefined();
    const first = mean(node.samples.slice(0, 12).map((s) => s.diskReadP99Ms));
    const last = mean(node.samples.slice(-12).map((s) => s.diskReadP99Ms));
    expect(last / first).toBeLessThan(1.5);
    expect(last / first).toBeGreaterThan(0.67);
  });

  it('raises disk latency and errors before a disk failure, then stops', () => {
    const node = generateNodeHealth({
      ...base,
      nodeId: 'b',
      seed: 1,
      degradation: { kind: 'disk', onsetMs: 6 * HOUR_MS, failureAtMs: 20 * HOUR_MS },
    });
    expect(node.failureAtMs).toBe(20 * HOUR_MS);
    expect(node.samples.at(-1)?.atMs).toBeLessThan(20 * HOUR_MS);
    const beforeOnset = node.samples.filter((s) => s.atMs < 6 * HOUR_MS);
    const lastHour = node.samples.filter((s) => s.atMs >= 19 * HOUR_MS);
    const latency = (samples: typeof beforeOnset): number => mean(samples.map((s) => s.diskReadP99Ms));
    expect(latency(lastHour) / latency(beforeOnset)).toBeGreaterThan(5);
    expect(mean(lastHour.map((s) => s.diskIoErrors))).toBeGreaterThan(1);
    expect(mean(lastHour.map((s) => s.diskQueueDepth))).toBeGreaterThan(
      mean(beforeOnset.map((s) => s.diskQueueDepth)) + 8,
    );
  });
});

describe('generateFleet', () => {
  it('builds healthy then degrading nodes, spread over zones', () => {
    const fleet = generateFleet({
      startMs: 0,
      intervalMs: 10 * 60_000,
      durationMs: 48 * HOUR_MS,
      healthy: 4,
      degrading: 2,
      seed: 3,
    });
    expect(fleet.map((n) => n.failureAtMs !== undefined)).toEqual([false, false, false, false, true, true]);
    expect(fleet.map((n) => n.labels['zone'])).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
    expect(fleet[0]?.labels['region']).toBe('eu-west-1');
    for (const node of fleet.slice(4)) {
      expect(node.failureAtMs).toBeGreaterThanOrEqual(24 * HOUR_MS);
      expect(node.failureAtMs).toBeLessThanOrEqual(48 * HOUR_MS);
    }
  });
});
