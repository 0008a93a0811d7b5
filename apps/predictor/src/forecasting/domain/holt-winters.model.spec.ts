import { describe, expect, it } from 'vitest';
import { backtest } from './backtest.js';
import type { ForecastContext } from './forecast-model.js';
import { HoltWintersModel } from './holt-winters.model.js';
import { SeasonalNaiveModel } from './seasonal-naive.model.js';
import { mean } from './statistics.js';
import { generateSyntheticLoad } from './synthetic-load.js';

const HOUR_MS = 3_600_000;
const startMs = Date.UTC(2024, 0, 1);
const context: ForecastContext = { intervalMs: HOUR_MS, startMs, seasonLengths: [24, 168] };

// Trend + daily seasonality + noise: 1000 base, +10/day, ±400 daily swing, noise sigma 50.
const load = generateSyntheticLoad({
  length: 28 * 24,
  intervalMs: HOUR_MS,
  startMs,
  seed: 1,
  base: 1000,
  trendPerDay: 10,
  dailyAmplitude: 400,
  noiseStd: 50,
});

describe('HoltWintersModel', () => {
  it('beats seasonal-naive on a backtest of trend + daily seasonality + noise', () => {
    const options = { folds: 4, horizon: 24, minTrain: 14 * 24 };
    const holtWinters = backtest(load.values, () => new HoltWintersModel(), options, context);
    const seasonalNaive = backtest(load.values, () => new SeasonalNaiveModel(), options, context);
    expect(holtWinters.metrics.mase).toBeLessThan(seasonalNaive.metrics.mase);
    // Noise alone costs ~0.7 here (MAE of the noise over the seasonal-naive scale, √2 larger).
    expect(holtWinters.metrics.mase).toBeLessThan(0.85);
    expect(holtWinters.metrics.coverage).toBeGreaterThan(0.6);
  });

  it('recovers the noise-free signal', () => {
    const training = load.values.slice(0, 27 * 24);
    const model = new HoltWintersModel();
    model.fit(training, context);
    const forecast = model.forecast(24);
    const truth = load.expected.slice(27 * 24);
    const deviation = mean(forecast.map((f, i) => Math.abs(f.p50 - (truth[i] as number))));
    // Well below the noise's own mean absolute size (~40): the model found the signal, not the noise.
    expect(deviation).toBeLessThan(25);
    expect(model.summary.oneStepRmse).toBeGreaterThan(40);
    expect(model.summary.oneStepRmse).toBeLessThan(60);
  });

  it('adds the weekly season only once the series covers three weeks', () => {
    const short = new HoltWintersModel();
    short.fit(load.values.slice(0, 20 * 24), context);
    expect(short.summary.seasonLengths).toEqual([24]);
    const long = new HoltWintersModel();
    long.fit(load.values.slice(0, 21 * 24), context);
    expect(long.summary.seasonLengths).toEqual([24, 168]);
  });

  it('forecasts an exact trend + season when there is no noise', () => {
    const series = Array.from(
      { length: 10 * 24 },
      (_, t) => 500 + 2 * t + 100 * Math.sin((2 * Math.PI * t) / 24),
    );
    const model = new HoltWintersModel({ damped: false });
    model.fit(series, { ...context, seasonLengths: [24] });
    const forecast = model.forecast(12);
    forecast.forEach((step, h) => {
      const t = series.length + h;
      expect(step.p50).toBeCloseTo(500 + 2 * t + 100 * Math.sin((2 * Math.PI * t) / 24), 0);
    });
  });

  it('orders quantiles and widens the band with the horizon', () => {
    const model = new HoltWintersModel();
    model.fit(load.values, context);
    const forecast = model.forecast(48);
    for (const step of forecast) {
      expect(step.p10).toBeLessThanOrEqual(step.p50);
      expect(step.p50).toBeLessThanOrEqual(step.p90);
    }
    const width = (i: number): number => (forecast[i]?.p90 ?? 0) - (forecast[i]?.p10 ?? 0);
    expect(width(47)).toBeGreaterThan(width(0));
  });

  it('only runs the filter when given fixed parameters', () => {
    const parameters = { alpha: 0.1, beta: 0.05, gammas: [0.1, 0.1], phi: 0.95 };
    const model = new HoltWintersModel({ parameters });
    model.fit(load.values, context);
    expect(model.summary.parameters).toEqual(parameters);
  });

  it('restores identical forecasts from its exported JSON state', () => {
    const model = new HoltWintersModel();
    model.fit(load.values, context);
    const state = JSON.parse(JSON.stringify(model.exportState()));
    expect(state).toMatchObject({
      model: 'holt-winters',
      formatVersion: 1,
      nextStepMs: startMs + 28 * 24 * HOUR_MS,
    });
    const restored = new HoltWintersModel();
    restored.importState(state);
    expect(restored.forecast(200)).toEqual(model.forecast(200));
    expect(() => restored.importState({ ...state, formatVersion: 99 })).toThrow(/format/);
  });

  it('rejects series with gaps encoded as NaN', () => {
    expect(() => new HoltWintersModel().fit([1, 2, Number.NaN, 4], context)).toThrow(RangeError);
  });
});
