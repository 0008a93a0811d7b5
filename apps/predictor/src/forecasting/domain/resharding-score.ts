import type { QuantileForecast } from './forecast-model.js';
import { normalCdf, Z_90 } from './statistics.js';

/**
 * How the steps' errors relate when combining them into P(max load > capacity):
 * - 'comonotone': errors move together (the default). A forecast that is too low at
 *   one step is too low at the next, because every step of a smoothing model's
 *   forecast carries the same level and trend error. Then P(max > c) is the largest
 *   per-step probability.
 * - 'independent': 1 − Π(1 − p_t). An upper bound that grows with the horizon's
 *   length even when no single step is risky, so it over-splits on long horizons.
 */
export type StepDependence = 'comonotone' | 'independent';

export interface ReshardingScoreOptions {
  readonly dependence?: StepDependence;
}

/**
 * P(load > capacity) for one step from its p10/p50/p90, using a two-piece normal: a
 * half-normal on each side of p50 with sigma = (p50 − p10)/z₀.₉ below and
 * (p90 − p50)/z₀.₉ above. It matches all three quantiles exactly, keeps the forecast's
 * skew (flash crowds make the upper side wider), and unlike a piecewise-linear CDF
 * has tails beyond the band without an arbitrary cut-off. A zero-width side is a point
 * mass, so certain forecasts give exactly 0 or 1.
 */
export function exceedanceProbability(step: QuantileForecast, capacity: number): number {
  assertCapacity(capacity);
  if (capacity < step.p50) {
    const sigma = (step.p50 - step.p10) / Z_90;
    return sigma > 0 ? normalCdf((step.p50 - capacity) / sigma) : 1;
  }
  const sigma = (step.p90 - step.p50) / Z_90;
  if (!(sigma > 0)) return 0;
  return normalCdf((step.p50 - capacity) / sigma);
}

/** Per-step exceedance probabilities. */
export function exceedanceByStep(forecast: readonly QuantileForecast[], capacity: number): number[] {
  return forecast.map((step) => exceedanceProbability(step, capacity));
}

/**
 * Resharding score (RRS) ∈ [0, 1]: the probability that the shard's load exceeds its
 * capacity at some step within the forecast horizon. An empty forecast scores 0.
 */
export function reshardingScore(
  forecast: readonly QuantileForecast[],
  capacity: number,
  options: ReshardingScoreOptions = {},
): number {
  const probabilities = exceedanceByStep(forecast, capacity);
  if (probabilities.length === 0) return 0;
  const dependence = options.dependence ?? 'comonotone';
  switch (dependence) {
    case 'comonotone':
      return probabilities.reduce((max, p) => Math.max(max, p), 0);
    case 'independent':
      return 1 - probabilities.reduce((none, p) => none * (1 - p), 1);
    default: {
      const unknown: never = dependence;
      throw new Error(`unknown dependence ${String(unknown)}`);
    }
  }
}

function assertCapacity(capacity: number): void {
  if (!(capacity > 0) || !Number.isFinite(capacity))
    throw new RangeError('capacity must be a positive finite number');
}
