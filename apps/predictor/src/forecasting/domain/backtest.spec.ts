import { describe, expect, it } from 'vitest';
import type { BacktestResult } from './backtest.js';
import { backtest, chooseServingModel } from './backtest.js';
import type {
  ForecastContext,
  ForecastModel,
  ForecastModelState,
  QuantileForecast,
} from './forecast-model.js';
import type { ForecastMetrics } from './forecast-metrics.js';

const context: ForecastContext = { intervalMs: 60_000, startMs: 0, seasonLengths: [5] };

/** Knows the true series and forecasts it exactly; records the training lengths it saw. */
class OracleModel implements ForecastModel {
  readonly name = 'oracle';
  private origin = 0;
  constructor(
    private readonly truth: readonly number[],
    private readonly fits: number[],
  ) {}
  fit(series: readonly number[]): void {
    this.origin = series.length;
    this.fits.push(series.length);
  }
  forecast(horizon: number): QuantileForecast[] {
    return this.truth
      .slice(this.origin, this.origin + horizon)
      .map((v) => ({ p10: v - 1, p50: v, p90: v + 1 }));
  }
  exportState(): ForecastModelState {
    return { model: this.name, formatVersion: 1, intervalMs: 1, nextStepMs: 0, params: null };
  }
  importState(): void {}
}

const series = Array.from({ length: 100 }, (_, i) => i + (i % 5) * 3);

describe('backtest', () => {
  it('refits at rolling origins that end at the series end', () => {
    const fits: number[] = [];
    const result = backtest(
      series,
      () => new OracleModel(series, fits),
      { folds: 3, horizon: 10, minTrain: 50 },
      context,
    );
    expect(fits).toEqual([70, 80, 90]);
    expect(result.folds.map((f) => f.origin)).toEqual([70, 80, 90]);
    expect(result.model).toBe('oracle');
    expect(result.metrics.mase).toBe(0);
    expect(result.metrics.coverage).toBe(1);
  });

  it('uses fewer folds when the series cannot hold them all', () => {
    const fits: number[] = [];
    backtest(
      series,
      () => new OracleModel(series, fits),
      { folds: 5, horizon: 10, minTrain: 75, step: 5 },
      context,
    );
    expect(fits).toEqual([75, 80, 85, 90]);
  });

  it('refuses a series too short for one fold', () => {
    expect(() =>
      backtest(series, () => new OracleModel(series, []), { folds: 2, horizon: 10, minTrain: 95 }, context),
    ).toThrow(RangeError);
  });
});

function result(model: string, mase: number, pinball: number): BacktestResult {
  const metrics: ForecastMetrics = {
    mase,
    smape: 0,
    pinball: { p10: pinball, p50: pinball, p90: pinball, mean: pinball },
    coverage: 0.8,
  };
  return { model, metrics, folds: [] };
}

describe('chooseServingModel', () => {
  it('serves the lowest MASE', () => {
    const chosen = chooseServingModel([
      result('naive', 1.4, 10),
      result('holt-winters', 0.7, 12),
      result('lstm', 0.9, 8),
    ]);
    expect(chosen.model).toBe('holt-winters');
  });

  it('breaks a near tie on MASE by the lower mean pinball loss', () => {
    const chosen = chooseServingModel([result('holt-winters', 0.7, 12), result('lstm', 0.705, 8)]);
    expect(chosen.model).toBe('lstm');
  });

  it('does not count a clear MASE gap as a tie', () => {
    const chosen = chooseServingModel([result('holt-winters', 0.7, 12), result('lstm', 0.8, 8)]);
    expect(chosen.model).toBe('holt-winters');
  });

  it('keeps the first listed model on a dead heat', () => {
    expect(chooseServingModel([result('seasonal-naive', 1, 5), result('lstm', 1, 5)]).model).toBe(
      'seasonal-naive',
    );
  });

  it('ignores models whose MASE is not finite', () => {
    expect(chooseServingModel([result('broken', Number.NaN, 0), result('naive', 3, 9)]).model).toBe('naive');
    expect(() => chooseServingModel([])).toThrow(RangeError);
  });
});
