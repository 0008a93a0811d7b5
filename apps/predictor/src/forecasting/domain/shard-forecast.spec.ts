import { describe, expect, it } from 'vitest';
import type { ApplicationHint } from './application-hints.js';
import type { ForecastContext } from './forecast-model.js';
import { NaiveModel } from './naive.model.js';
import { forecastShard, pickServableModel } from './shard-forecast.js';

const MINUTE = 60_000;
const context: ForecastContext = { intervalMs: MINUTE, startMs: 0, seasonLengths: [] };
// Alternating 90/110: the naive band is ±20 around the last value (100 + 10).
const series = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 90 : 110));
const target = { range: { lo: 0n, hi: 1000n }, sampledKeys: ['user:1'] };
const tripling = (id: string, startMs: number, endMs: number): ApplicationHint => ({
  id,
  scope: { kind: 'key-prefix', prefix: 'user:' },
  window: { kind: 'once', startMs, endMs },
  factor: 3,
});

describe('forecastShard', () => {
  it('forecasts the steps after the series, with their start times and a resharding score', () => {
    const result = forecastShard({
      model: new NaiveModel(),
      series,
      context,
      horizon: 3,
      capacity: 1000,
      hints: [],
      target,
    });
    expect(result.steps.map((s) => s.startMs)).toEqual([20 * MINUTE, 21 * MINUTE, 22 * MINUTE]);
    expect(result.steps[0]?.p50).toBe(110);
    expect(result.rrs).toBeLessThan(1e-6);
    expect(result.hintsUsed).toEqual([]);
  });

  it('applies the hints whose window and scope match, names them, and lets them raise RRS', () => {
    const plain = forecastShard({
      model: new NaiveModel(),
      series,
      context,
      horizon: 3,
      capacity: 200,
      hints: [],
      target,
    });
    const hinted = forecastShard({
      model: new NaiveModel(),
      series,
      context,
      horizon: 3,
      capacity: 200,
      hints: [tripling('launch', 21 * MINUTE, 22 * MINUTE), tripling('last-year', 0, MINUTE)],
      target,
    });
    expect(hinted.hintsUsed).toEqual(['launch']);
    expect(hinted.steps[1]?.p50).toBe(330);
    expect(hinted.steps[0]?.p50).toBe(110);
    expect(hinted.rrs).toBeGreaterThan(0.8);
    expect(plain.rrs).toBeLessThan(0.1);
  });
});

describe('pickServableModel', () => {
  const minimum = (name: 'naive' | 'holt-winters' | 'lstm'): number =>
    ({ naive: 1, 'holt-winters': 3, lstm: 60 })[name];
  it('serves the backtest choice when the series is long enough for it, else the first fallback that fits', () => {
    expect(pickServableModel('lstm', 100, minimum, ['holt-winters', 'naive'])).toBe('lstm');
    expect(pickServableModel('lstm', 30, minimum, ['holt-winters', 'naive'])).toBe('holt-winters');
    expect(pickServableModel(undefined, 2, minimum, ['holt-winters', 'naive'])).toBe('naive');
    expect(pickServableModel(undefined, 0, minimum, ['holt-winters', 'naive'])).toBeUndefined();
  });
});
