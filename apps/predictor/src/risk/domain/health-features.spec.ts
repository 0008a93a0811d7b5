import { describe, expect, it } from 'vitest';
import {
  ewmaZScore,
  extractHealthFeatures,
  featureVector,
  HEALTH_FEATURE_NAMES,
  samplesInWindow,
} from './health-features.js';
import type { HealthSample } from './health-sample.js';
import { missedHeartbeats } from './health-sample.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

function sample(atMs: number, overrides: Partial<HealthSample> = {}): HealthSample {
  return {
    atMs,
    diskReadP99Ms: 4,
    diskWriteP99Ms: 6,
    diskIoErrors: 0,
    diskQueueDepth: 1,
    cpu: 0.5,
    memoryBytes: 2e9,
    eventLoopDelayP99Ms: 10,
    errorLogRate: 0.1,
    missedHeartbeats: 0,
    ...overrides,
  };
}

describe('samplesInWindow', () => {
  const samples = [0, 1, 2, 3, 4].map((i) => sample(i * MINUTE_MS));
  it('keeps samples in (at − window, at]', () => {
    expect(samplesInWindow(samples, 3 * MINUTE_MS, 2 * MINUTE_MS).map((s) => s.atMs)).toEqual(
      [2, 3].map((i) => i * MINUTE_MS),
    );
    expect(samplesInWindow(samples, 10 * MINUTE_MS, 2 * MINUTE_MS)).toEqual([]);
  });
});

describe('extractHealthFeatures', () => {
  // Read latency climbs 1 ms per 5 minutes, from 4 ms to 27 ms over two hours.
  const samples = Array.from({ length: 24 }, (_, i) =>
    sample(i * 5 * MINUTE_MS, { diskReadP99Ms: 4 + i, diskQueueDepth: i === 23 ? 20 : 1 }),
  );
  const at = 23 * 5 * MINUTE_MS;
  const features = extractHealthFeatures(samples, at, { windowMs: 2 * HOUR_MS });

  it('measures the level on a log scale from the last few samples', () => {
    expect(features?.sampleCount).toBe(24);
    expect(features?.level.diskReadP99Ms).toBeCloseTo(Math.log1p((25 + 26 + 27) / 3), 12);
    expect(features?.level.cpu).toBeCloseTo(Math.log1p(0.5), 12);
  });

  it('measures rising metrics as a positive slope and flat ones as zero', () => {
    expect(features?.slopePerHour.diskReadP99Ms).toBeGreaterThan(0.5);
    expect(features?.slopePerHour.memoryBytes).toBe(0);
  });

  it('scores a sudden jump with a large EWMA z-score', () => {
    expect(features?.ewmaZ.diskQueueDepth).toBeGreaterThan(5);
    expect(features?.ewmaZ.cpu).toBe(0);
  });

  it('lays the features out as HEALTH_FEATURE_NAMES says', () => {
    const vector = featureVector(features!);
    expect(vector).toHaveLength(HEALTH_FEATURE_NAMES.length);
    expect(HEALTH_FEATURE_NAMES.slice(0, 3)).toEqual([
      'diskReadP99Ms',
      'diskReadP99Ms.slopePerHour',
      'diskReadP99Ms.ewmaZ',
    ]);
    expect(vector[0]).toBe(features?.level.diskReadP99Ms);
  });

  it('needs at least three samples', () => {
    expect(extractHealthFeatures(samples.slice(0, 2), 5 * MINUTE_MS)).toBeNull();
  });
});

describe('ewmaZScore', () => {
  it('caps the score when a flat metric blips', () => {
    expect(ewmaZScore([0, 0, 0, 0], 1, 0.1)).toBe(10);
  });

  it('scores a value against the weighted spread of its history', () => {
    const history = [10, 12, 8, 11, 9, 10, 12, 8];
    const z = ewmaZScore(history, 10, 0.3);
    expect(Math.abs(z)).toBeLessThan(1);
    expect(ewmaZScore(history, 20, 0.3)).toBeGreaterThan(3);
  });
});

describe('missedHeartbeats', () => {
  it('counts the heartbeats a gap between samples swallowed', () => {
    expect(missedHeartbeats(0, 5_000, 5_000)).toBe(0);
    expect(missedHeartbeats(0, 5_400, 5_000)).toBe(0);
    expect(missedHeartbeats(0, 20_000, 5_000)).toBe(3);
  });
});
