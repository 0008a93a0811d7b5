import { mean, standardDeviation } from './statistics.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * log1p then z-score: load spans orders of magnitude across shards and spikes, so the
 * log tames its right tail before standardising; one global LSTM then sees every
 * shard on the same scale. Stored with the model so predictions can be inverted.
 */
export interface SeriesScaler {
  readonly kind: 'log1p-zscore';
  readonly mean: number;
  readonly std: number;
}

export const WINDOW_FEATURE_NAMES = ['load', 'hourSin', 'hourCos', 'weekdaySin', 'weekdayCos'] as const;

export interface WindowOptions {
  readonly lookback: number;
  readonly horizon: number;
  /** Start time (epoch ms, UTC) of every step of the series. */
  readonly calendar: readonly number[];
  /** Steps between consecutive windows (default 1). */
  readonly stride?: number;
  /** A scaler fitted elsewhere (e.g. on the training split); by default fitted on this series. */
  readonly scaler?: SeriesScaler;
}

export interface WindowSet {
  /** [window][step of lookback][feature], features as in WINDOW_FEATURE_NAMES. */
  readonly inputs: number[][][];
  /** [window][step of horizon], scaled like the load feature. */
  readonly targets: number[][];
  /** Index in the series of each window's first target step. */
  readonly targetStarts: number[];
  readonly scaler: SeriesScaler;
}

export function fitScaler(series: readonly number[]): SeriesScaler {
  assertLoad(series);
  const logs = series.map((v) => Math.log1p(v));
  const std = standardDeviation(logs);
  // A flat series has std 0; 1 keeps scaling invertible and maps it to zeros.
  return { kind: 'log1p-zscore', mean: logs.length > 0 ? mean(logs) : 0, std: std > 1e-9 ? std : 1 };
}

export function scaleValue(scaler: SeriesScaler, value: number): number {
  return (Math.log1p(value) - scaler.mean) / scaler.std;
}

/** Inverse of scaleValue, floored at zero (a network output may fall below the log's domain). */
export function unscaleValue(scaler: SeriesScaler, scaled: number): number {
  return Math.max(0, Math.expm1(scaled * scaler.std + scaler.mean));
}

/** Hour of day and day of week (UTC) on the unit circle, so 23:00 sits next to 00:00 and Sunday next to Monday. */
export function calendarFeatures(timeMs: number): [number, number, number, number] {
  const msOfDay = ((timeMs % DAY_MS) + DAY_MS) % DAY_MS;
  const dayAngle = (2 * Math.PI * msOfDay) / DAY_MS;
  const weekAngle = (2 * Math.PI * (new Date(timeMs).getUTCDay() + msOfDay / DAY_MS)) / 7;
  return [Math.sin(dayAngle), Math.cos(dayAngle), Math.sin(weekAngle), Math.cos(weekAngle)];
}

/**
 * Supervised windows for a sequence model: each input holds `lookback` steps of
 * [scaled load, calendar features], its target the next `horizon` scaled loads.
 */
export function makeWindows(series: readonly number[], options: WindowOptions): WindowSet {
  const { lookback, horizon } = options;
  const stride = options.stride ?? 1;
  if (options.calendar.length !== series.length) {
    throw new RangeError(`calendar has ${options.calendar.length} times for ${series.length} points`);
  }
  for (const [name, value] of [
    ['lookback', lookback],
    ['horizon', horizon],
    ['stride', stride],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  assertLoad(series);
  const scaler = options.scaler ?? fitScaler(series);
  const steps = series.map((value, i) => [
    scaleValue(scaler, value),
    ...calendarFeatures(options.calendar[i] as number),
  ]);
  const inputs: number[][][] = [];
  const targets: number[][] = [];
  const targetStarts: number[] = [];
  for (let start = lookback; start + horizon <= series.length; start += stride) {
    inputs.push(steps.slice(start - lookback, start).map((row) => [...row]));
    targets.push(steps.slice(start, start + horizon).map((row) => row[0] as number));
    targetStarts.push(start);
  }
  return { inputs, targets, targetStarts, scaler };
}

/** The input window for forecasting after the series' last point. */
export function makeInferenceWindow(
  series: readonly number[],
  calendar: readonly number[],
  lookback: number,
  scaler: SeriesScaler,
): number[][] {
  if (series.length < lookback) throw new RangeError(`need ${lookback} points, got ${series.length}`);
  if (calendar.length !== series.length) throw new RangeError('calendar and series lengths differ');
  assertLoad(series);
  const from = series.length - lookback;
  return series
    .slice(from)
    .map((value, i) => [scaleValue(scaler, value), ...calendarFeatures(calendar[from + i] as number)]);
}

function assertLoad(series: readonly number[]): void {
  for (const value of series) {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new RangeError('load values must be finite and non-negative');
  }
}
