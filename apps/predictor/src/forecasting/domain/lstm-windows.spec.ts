import { describe, expect, it } from 'vitest';
import {
  calendarFeatures,
  fitScaler,
  makeInferenceWindow,
  makeWindows,
  scaleValue,
  unscaleValue,
} from './lstm-windows.js';
import { mean, standardDeviation } from './statistics.js';

const HOUR_MS = 3_600_000;
const monday = Date.UTC(2024, 0, 1);
const series = Array.from({ length: 50 }, (_, i) => 100 + 10 * (i % 24));
const calendar = series.map((_, i) => monday + i * HOUR_MS);

describe('calendar features', () => {
  it('puts hour of day and day of week on the unit circle', () => {
    const [hourSin, hourCos, weekSin, weekCos] = calendarFeatures(monday + 6 * HOUR_MS);
    expect(hourSin).toBeCloseTo(1, 12);
    expect(hourCos).toBeCloseTo(0, 12);
    // Monday 06:00 is 1.25 days into the week (weeks start on Sunday).
    expect(weekSin).toBeCloseTo(Math.sin((2 * Math.PI * 1.25) / 7), 12);
    expect(weekCos).toBeCloseTo(Math.cos((2 * Math.PI * 1.25) / 7), 12);
  });

  it('makes 23:00 and 00:00 neighbours', () => {
    const late = calendarFeatures(monday - HOUR_MS);
    const midnight = calendarFeatures(monday);
    expect(Math.hypot(late[0] - midnight[0], late[1] - midnight[1])).toBeLessThan(0.3);
  });
});

describe('makeWindows', () => {
  it('slides lookback inputs with calendar features over the series, targets following', () => {
    const set = makeWindows(series, { lookback: 24, horizon: 6, calendar, stride: 2 });
    // starts 24, 26, …, 44 (44 + 6 = 50)
    expect(set.targetStarts).toEqual([24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44]);
    expect(set.inputs).toHaveLength(11);
    expect(set.inputs[0]).toHaveLength(24);
    expect(set.inputs[0]?.[0]).toHaveLength(5);
    expect(set.inputs[1]?.[0]?.[0]).toBeCloseTo(scaleValue(set.scaler, series[2]!), 12);
    expect(set.inputs[1]?.[0]?.slice(1)).toEqual(calendarFeatures(calendar[2]!));
    const firstTargets = set.targets[0]?.map((z) => unscaleValue(set.scaler, z)) ?? [];
    expect(firstTargets).toHaveLength(6);
    firstTargets.forEach((value, i) => expect(value).toBeCloseTo(series[24 + i]!, 9));
  });

  it('standardises log load, storing the scale to invert predictions', () => {
    const scaler = fitScaler(series);
    const scaled = series.map((v) => scaleValue(scaler, v));
    expect(mean(scaled)).toBeCloseTo(0, 12);
    expect(standardDeviation(scaled)).toBeCloseTo(1, 12);
    expect(unscaleValue(scaler, scaleValue(scaler, 1234))).toBeCloseTo(1234, 9);
    expect(fitScaler([5, 5, 5]).std).toBe(1);
  });

  it('builds the inference window from the last lookback steps', () => {
    const set = makeWindows(series, { lookback: 24, horizon: 1, calendar });
    const last = makeInferenceWindow(series, calendar, 24, set.scaler);
    expect(last).toEqual(
      makeWindows([...series, 0], {
        lookback: 24,
        horizon: 1,
        calendar: [...calendar, 0],
        scaler: set.scaler,
      }).inputs.at(-1),
    );
  });

  it('rejects bad input', () => {
    expect(() => makeWindows(series, { lookback: 24, horizon: 6, calendar: calendar.slice(1) })).toThrow(
      RangeError,
    );
    expect(() => makeWindows([1, -1], { lookback: 1, horizon: 1, calendar: [0, 1] })).toThrow(RangeError);
    expect(() => makeWindows(series, { lookback: 0, horizon: 6, calendar })).toThrow(RangeError);
  });
});
