import { clamp, linearFit, mean } from '../../forecasting/domain/index.js';
import type { HealthMetric, HealthSample } from './health-sample.js';
import { HEALTH_METRICS } from './health-sample.js';

const HOUR_MS = 3_600_000;

export interface HealthFeatureOptions {
  /** Samples in (atMs − windowMs, atMs] describe the node (default 2 h). */
  readonly windowMs?: number;
  /** EWMA weight of each new sample for the z-score baseline (default 0.1, ~10-sample memory). */
  readonly ewmaAlpha?: number;
  /** Samples averaged for the current level, so one noisy sample does not dominate (default 3). */
  readonly levelSamples?: number;
}

/**
 * Per metric, on a log1p scale: the current level and its least-squares slope per hour over
 * the window (≈ relative growth per hour); and the EWMA z-score of the current level. The
 * log makes a doubling of latency count the same on a 3 ms disk as on a 12 ms one, so one
 * set of classifier weights fits nodes with different baselines.
 */
export interface HealthFeatures {
  readonly atMs: number;
  readonly sampleCount: number;
  /** log1p of the mean of the last few samples. */
  readonly level: Readonly<Record<HealthMetric, number>>;
  /** Slope of log1p(value) per hour. */
  readonly slopePerHour: Readonly<Record<HealthMetric, number>>;
  readonly ewmaZ: Readonly<Record<HealthMetric, number>>;
}

/** Order of the values in featureVector: the classifier's input layout. */
export const HEALTH_FEATURE_NAMES: readonly string[] = HEALTH_METRICS.flatMap((m) => [
  m,
  `${m}.slopePerHour`,
  `${m}.ewmaZ`,
]);

// |z| beyond this carries no extra information and would dominate a linear model.
const Z_LIMIT = 10;

/** Binary search: samples (oldest first) with atMs in (atMs − windowMs, atMs]. */
export function samplesInWindow(
  samples: readonly HealthSample[],
  atMs: number,
  windowMs: number,
): HealthSample[] {
  const firstAfter = (time: number): number => {
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((samples[mid] as HealthSample).atMs > time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return samples.slice(firstAfter(atMs - windowMs), firstAfter(atMs));
}

/** Features of a node at atMs, or null when the window holds fewer than 3 samples. */
export function extractHealthFeatures(
  samples: readonly HealthSample[],
  atMs: number,
  options: HealthFeatureOptions = {},
): HealthFeatures | null {
  const window = samplesInWindow(samples, atMs, options.windowMs ?? 2 * HOUR_MS);
  if (window.length < 3) return null;
  const alpha = options.ewmaAlpha ?? 0.1;
  const levelSamples = options.levelSamples ?? 3;
  const hours = window.map((s) => (s.atMs - atMs) / HOUR_MS);
  const level = {} as Record<HealthMetric, number>;
  const slopePerHour = {} as Record<HealthMetric, number>;
  const ewmaZ = {} as Record<HealthMetric, number>;
  for (const metric of HEALTH_METRICS) {
    const values = window.map((s) => s[metric]);
    const current = mean(values.slice(-levelSamples));
    level[metric] = Math.log1p(Math.max(0, current));
    slopePerHour[metric] = linearFit(
      hours,
      values.map((v) => Math.log1p(Math.max(0, v))),
    ).slope;
    ewmaZ[metric] = ewmaZScore(values.slice(0, -levelSamples), current, alpha);
  }
  return { atMs, sampleCount: window.length, level, slopePerHour, ewmaZ };
}

export function featureVector(features: HealthFeatures): number[] {
  return HEALTH_METRICS.flatMap((m) => [features.level[m], features.slopePerHour[m], features.ewmaZ[m]]);
}

/**
 * How far `value` sits from an exponentially weighted mean of `history`, in EWMA standard
 * deviations. The deviation is floored at 5 % of the mean (plus a hair) so a metric that was
 * perfectly flat, like a healthy node's error count, does not turn one blip into infinity.
 */
export function ewmaZScore(history: readonly number[], value: number, alpha: number): number {
  const first = history[0];
  if (first === undefined) return 0;
  let average = first;
  let variance = 0;
  for (const x of history.slice(1)) {
    const difference = x - average;
    const increment = alpha * difference;
    average += increment;
    variance = (1 - alpha) * (variance + difference * increment);
  }
  const deviation = Math.max(Math.sqrt(variance), 0.05 * Math.abs(average) + 1e-3);
  return clamp((value - average) / deviation, -Z_LIMIT, Z_LIMIT);
}
