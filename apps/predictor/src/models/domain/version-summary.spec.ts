import { describe, expect, it } from 'vitest';
import type { ForecastMetrics } from '../../forecasting/domain/index.js';
import { summariseVersion } from './version-summary.js';

const metrics = (mase: number): ForecastMetrics => ({
  mase,
  smape: mase * 10,
  coverage: 0.8,
  pinball: { p10: 1, p50: 2, p90: 3, mean: 2 },
});

describe('summariseVersion', () => {
  it('counts what serves and averages each model over the shards it was backtested on', () => {
    const summary = summariseVersion([
      {
        servingModel: 'lstm',
        backtests: [
          { model: 'seasonal-naive', metrics: metrics(1) },
          { model: 'lstm', metrics: metrics(0.5) },
        ],
      },
      {
        servingModel: 'holt-winters',
        backtests: [
          { model: 'seasonal-naive', metrics: metrics(2) },
          { model: 'holt-winters', metrics: metrics(1) },
          { model: 'lstm' },
        ],
      },
      { servingModel: 'naive', backtests: [] },
    ]);
    expect(summary.shards).toBe(3);
    expect(summary.serving).toEqual({ lstm: 1, 'holt-winters': 1, naive: 1 });
    expect(summary.byModel['seasonal-naive']).toMatchObject({ shards: 2, mase: 1.5 });
    expect(summary.byModel['lstm']).toMatchObject({ shards: 1, mase: 0.5 });
    expect(summary.servingMase).toBe(0.75);
    expect(summary.seasonalNaiveMase).toBe(1.5);
  });
});
