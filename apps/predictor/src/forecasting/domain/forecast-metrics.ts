import type { QuantileForecast } from './forecast-model.js';
import { mean } from './statistics.js';

export interface PinballLosses {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  /** Mean of the three: a single number for the whole band's quality. */
  readonly mean: number;
}

export interface ForecastMetrics {
  /** Mean absolute scaled error of p50, scaled by the in-sample seasonal-naive MAE. */
  readonly mase: number;
  /** Symmetric MAPE of p50, in percent (0–200). */
  readonly smape: number;
  readonly pinball: PinballLosses;
  /** Share of actuals inside [p10, p90]; 0.8 when the band is calibrated. */
  readonly coverage: number;
}

/**
 * In-sample MAE of the seasonal-naive forecast y_t ≈ y_{t−m}: the scale of MASE
 * (Hyndman & Koehler 2006). Falls back to m = 1 when the training series is not
 * longer than one season.
 */
export function seasonalNaiveScale(training: readonly number[], seasonLength: number): number {
  const m = training.length > seasonLength && seasonLength >= 1 ? seasonLength : 1;
  const errors: number[] = [];
  for (let t = m; t < training.length; t += 1)
    errors.push(Math.abs((training[t] as number) - (training[t - m] as number)));
  return mean(errors);
}

/**
 * MASE = MAE(forecast) / seasonalNaiveScale(training). Below 1 beats the in-sample
 * seasonal-naive one-step error. A flat training series has scale 0: the result is then
 * 0 for a perfect forecast and +Infinity otherwise, so such a model never looks good.
 */
export function meanAbsoluteScaledError(
  actual: readonly number[],
  predicted: readonly number[],
  training: readonly number[],
  seasonLength: number,
): number {
  assertSameLength(actual, predicted);
  const mae = mean(actual.map((a, i) => Math.abs(a - (predicted[i] as number))));
  const scale = seasonalNaiveScale(training, seasonLength);
  if (!(scale > 0)) return mae === 0 ? 0 : Number.POSITIVE_INFINITY;
  return mae / scale;
}

/** sMAPE = mean of 200·|F − A| / (|A| + |F|), in percent; a step where both are 0 counts as 0. */
export function symmetricMape(actual: readonly number[], predicted: readonly number[]): number {
  assertSameLength(actual, predicted);
  return mean(
    actual.map((a, i) => {
      const f = predicted[i] as number;
      const denominator = Math.abs(a) + Math.abs(f);
      return denominator === 0 ? 0 : (200 * Math.abs(f - a)) / denominator;
    }),
  );
}

/** Mean pinball (quantile) loss of quantile level tau: tau·(y − q) above q, (1 − tau)·(q − y) below. */
export function pinballLoss(actual: readonly number[], predicted: readonly number[], tau: number): number {
  assertSameLength(actual, predicted);
  return mean(
    actual.map((y, i) => {
      const q = predicted[i] as number;
      return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
    }),
  );
}

/** Share of actuals with p10 ≤ y ≤ p90. */
export function bandCoverage(actual: readonly number[], forecast: readonly QuantileForecast[]): number {
  assertSameLength(actual, forecast);
  return mean(
    actual.map((y, i) => {
      const step = forecast[i] as QuantileForecast;
      return y >= step.p10 && y <= step.p90 ? 1 : 0;
    }),
  );
}

export function evaluateForecast(
  actual: readonly number[],
  forecast: readonly QuantileForecast[],
  training: readonly number[],
  seasonLength: number,
): ForecastMetrics {
  const p10 = forecast.map((f) => f.p10);
  const p50 = forecast.map((f) => f.p50);
  const p90 = forecast.map((f) => f.p90);
  const pinball = {
    p10: pinballLoss(actual, p10, 0.1),
    p50: pinballLoss(actual, p50, 0.5),
    p90: pinballLoss(actual, p90, 0.9),
  };
  return {
    mase: meanAbsoluteScaledError(actual, p50, training, seasonLength),
    smape: symmetricMape(actual, p50),
    pinball: { ...pinball, mean: (pinball.p10 + pinball.p50 + pinball.p90) / 3 },
    coverage: bandCoverage(actual, forecast),
  };
}

/** Arithmetic mean of each metric over folds. */
export function averageMetrics(folds: readonly ForecastMetrics[]): ForecastMetrics {
  const avg = (pick: (m: ForecastMetrics) => number): number => mean(folds.map(pick));
  return {
    mase: avg((m) => m.mase),
    smape: avg((m) => m.smape),
    pinball: {
      p10: avg((m) => m.pinball.p10),
      p50: avg((m) => m.pinball.p50),
      p90: avg((m) => m.pinball.p90),
      mean: avg((m) => m.pinball.mean),
    },
    coverage: avg((m) => m.coverage),
  };
}

function assertSameLength(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length)
    throw new RangeError(`length mismatch: ${a.length} actuals, ${b.length} forecasts`);
  if (a.length === 0) throw new RangeError('nothing to score');
}
