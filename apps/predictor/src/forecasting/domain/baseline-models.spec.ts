import { describe, expect, it } from 'vitest';
import type { ForecastContext } from './forecast-model.js';
import { forecastStepTimes } from './forecast-model.js';
import { NaiveModel } from './naive.model.js';
import { SeasonalNaiveModel } from './seasonal-naive.model.js';

const context: ForecastContext = { intervalMs: 60_000, startMs: 1_000_000, seasonLengths: [3] };

describe('NaiveModel', () => {
  // Differences of [1, 2, 4, 7, 8] are [1, 2, 3, 1]: quantiles p10 1, p50 1.5, p90 2.7 (type 7).
  const series = [1, 2, 4, 7, 8];

  it('forecasts the last value with a band from one-step differences widening by √h', () => {
    const model = new NaiveModel();
    model.fit(series, context);
    const [first, fourth] = [model.forecast(4)[0], model.forecast(4)[3]];
    expect(first).toEqual({ p10: 8 + (1 - 1.5), p50: 8, p90: expect.closeTo(8 + (2.7 - 1.5), 12) });
    expect(fourth?.p50).toBe(8);
    expect(fourth?.p10).toBeCloseTo(8 + 2 * (1 - 1.5), 12);
    expect(fourth?.p90).toBeCloseTo(8 + 2 * (2.7 - 1.5), 12);
  });

  it('round-trips its fitted state through JSON', () => {
    const model = new NaiveModel();
    model.fit(series, context);
    const state = JSON.parse(JSON.stringify(model.exportState()));
    expect(state.nextStepMs).toBe(1_000_000 + 5 * 60_000);
    const restored = new NaiveModel();
    restored.importState(state);
    expect(restored.forecast(3)).toEqual(model.forecast(3));
    expect(() => new SeasonalNaiveModel().importState(state)).toThrow(/naive/);
  });

  it('refuses to forecast before fitting', () => {
    expect(() => new NaiveModel().forecast(1)).toThrow(/not fitted/);
  });
});

describe('SeasonalNaiveModel', () => {
  // Season 3: seasonal differences of [10, 20, 30, 11, 22, 33, 12, 24, 36] are [1, 2, 3, 1, 2, 3].
  const series = [10, 20, 30, 11, 22, 33, 12, 24, 36];

  it('repeats the last season and widens the band once per season crossed', () => {
    const model = new SeasonalNaiveModel();
    model.fit(series, context);
    expect(model.seasonLength).toBe(3);
    const forecast = model.forecast(5);
    expect(forecast.map((f) => f.p50)).toEqual([12, 24, 36, 12, 24]);
    // residual quantiles: p10 1, p50 2, p90 3 → band ±1 for the first season, ±√2 for the second
    expect(forecast[0]).toEqual({ p10: 11, p50: 12, p90: 13 });
    expect(forecast[3]?.p90).toBeCloseTo(12 + Math.SQRT2, 12);
  });

  it('falls back to naive when no season fits the series', () => {
    const model = new SeasonalNaiveModel();
    model.fit([5, 6, 7], { ...context, seasonLengths: [24] });
    expect(model.seasonLength).toBe(1);
    expect(model.forecast(2).map((f) => f.p50)).toEqual([7, 7]);
  });

  it('round-trips its fitted state through JSON', () => {
    const model = new SeasonalNaiveModel();
    model.fit(series, context);
    const restored = new SeasonalNaiveModel();
    restored.importState(JSON.parse(JSON.stringify(model.exportState())));
    expect(restored.forecast(7)).toEqual(model.forecast(7));
  });
});

describe('forecastStepTimes', () => {
  it('lists the start of every forecast interval', () => {
    expect(forecastStepTimes(1_000, 60_000, 3)).toEqual([1_000, 61_000, 121_000]);
  });
});
