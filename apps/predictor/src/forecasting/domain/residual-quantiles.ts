import type { JsonObject, QuantileForecast } from './forecast-model.js';
import { asObject, numberField } from './forecast-model.js';
import { quantileOfSorted } from './statistics.js';

/**
 * Quantiles of a model's in-sample one-step residuals (actual − predicted).
 *
 * Why empirical rather than a normal approximation: access load is skewed (flash crowds
 * push actuals far above the forecast, never far below), so a symmetric normal band
 * puts too little mass above the forecast, which is exactly the side the resharding
 * score looks at. Each model widens these one-step quantiles by its own h-step error
 * growth factor (√h for a random walk, the ETS variance formula for Holt-Winters),
 * which keeps the empirical shape while growing the spread as the model implies.
 */
export interface ResidualQuantiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

const ZERO: ResidualQuantiles = { p10: 0, p50: 0, p90: 0 };

export function residualQuantiles(residuals: readonly number[]): ResidualQuantiles {
  if (residuals.length === 0) return ZERO;
  const sorted = [...residuals].sort((a, b) => a - b);
  return {
    p10: quantileOfSorted(sorted, 0.1),
    p50: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
  };
}

/**
 * The model's point forecast as p50, with p10 and p90 at spread × the residuals' distance
 * from their median, so the band keeps the residuals' skew while the median stays the
 * model's own forecast (a naive model's p50 is the last value, not a drift). Floored at
 * zero: load (accesses per interval) is never negative.
 */
export function quantilesAround(
  point: number,
  residuals: ResidualQuantiles,
  spread: number,
): QuantileForecast {
  return {
    p10: Math.max(0, point + spread * (residuals.p10 - residuals.p50)),
    p50: Math.max(0, point),
    p90: Math.max(0, point + spread * (residuals.p90 - residuals.p50)),
  };
}

export function residualQuantilesFromJson(value: JsonObject[string] | undefined): ResidualQuantiles {
  const object = asObject(value, 'residuals');
  return {
    p10: numberField(object, 'p10'),
    p50: numberField(object, 'p50'),
    p90: numberField(object, 'p90'),
  };
}
