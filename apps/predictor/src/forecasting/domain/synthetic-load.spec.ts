import { describe, expect, it } from 'vitest';
import { mean } from './statistics.js';
import { generateSyntheticLoad } from './synthetic-load.js';

const HOUR_MS = 3_600_000;
const startMs = Date.UTC(2024, 0, 1); // a Monday
const base = { length: 14 * 24, intervalMs: HOUR_MS, startMs, base: 1000 };

describe('generateSyntheticLoad', () => {
  it('replays the same series for the same seed', () => {
    const options = { ...base, seed: 7, noiseStd: 30 };
    expect(generateSyntheticLoad(options).values).toEqual(generateSyntheticLoad(options).values);
    expect(generateSyntheticLoad({ ...options, seed: 8 }).values).not.toEqual(
      generateSyntheticLoad(options).values,
    );
  });

  it('peaks daily at the configured hour and adds the trend', () => {
    const load = generateSyntheticLoad({
      ...base,
      seed: 1,
      dailyAmplitude: 300,
      dailyPeakHourUtc: 9,
      trendPerDay: 24,
    });
    const firstDay = load.values.slice(0, 24);
    expect(firstDay.indexOf(Math.max(...firstDay))).toBe(9);
    expect(load.values[24 + 9]! - load.values[9]!).toBeCloseTo(24, 9);
    expect(load.values).toEqual(load.expected);
  });

  it('drops load on weekends', () => {
    const load = generateSyntheticLoad({ ...base, seed: 1, weekendDrop: 200 });
    expect(load.values[5 * 24]).toBe(800); // Saturday
    expect(load.values[4 * 24]).toBe(1000); // Friday
  });

  it('adds flash crowds on top of the signal', () => {
    const load = generateSyntheticLoad({
      ...base,
      seed: 3,
      flashCrowds: { probabilityPerStep: 0.02, magnitude: 4, durationSteps: 6 },
    });
    expect(load.spikeStarts.length).toBeGreaterThan(0);
    for (const start of load.spikeStarts)
      expect(load.values[start]).toBeCloseTo(5 * load.expected[start]!, 9);
    expect(mean(load.values)).toBeGreaterThan(mean(load.expected));
  });

  it('never produces negative load', () => {
    const load = generateSyntheticLoad({ ...base, base: 10, seed: 2, noiseStd: 50 });
    expect(Math.min(...load.values)).toBe(0);
  });
});
