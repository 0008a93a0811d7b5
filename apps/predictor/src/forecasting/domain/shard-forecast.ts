import type { ApplicationHint, HintTarget } from './application-hints.js';
import { applyHints } from './application-hints.js';
import type { ForecastContext, ForecastModel, QuantileForecast } from './forecast-model.js';
import { forecastStepTimes } from './forecast-model.js';
import { reshardingScore } from './resharding-score.js';

export interface ShardForecastInput {
  /** A model ready to fit (the shard's serving model). */
  readonly model: ForecastModel;
  readonly series: readonly number[];
  readonly context: ForecastContext;
  readonly horizon: number;
  /** Load per interval above which the shard is over capacity. */
  readonly capacity: number;
  readonly hints: readonly ApplicationHint[];
  readonly target: HintTarget;
}

export interface ForecastStep extends QuantileForecast {
  readonly startMs: number;
}

export interface ShardForecast {
  readonly steps: ForecastStep[];
  /** P(load > capacity at some step of the horizon), after hints. */
  readonly rrs: number;
  readonly hintsUsed: string[];
}

/**
 * One shard's published forecast: fit the serving model to the series, forecast the
 * horizon, scale the steps that fall inside matching hints' windows, then score the
 * resharding need from the adjusted distribution (a hint that triples traffic should raise
 * RRS, which is the point of giving one).
 */
export function forecastShard(input: ShardForecastInput): ShardForecast {
  input.model.fit(input.series, input.context);
  const raw = input.model.forecast(input.horizon).map(orderedQuantiles);
  const nextStepMs = input.context.startMs + input.series.length * input.context.intervalMs;
  const times = forecastStepTimes(nextStepMs, input.context.intervalMs, input.horizon);
  const hinted = applyHints(raw, times, input.hints, input.target);
  return {
    steps: hinted.forecast.map((q, i) => ({ startMs: times[i] as number, ...orderedQuantiles(q) })),
    rrs: reshardingScore(hinted.forecast, input.capacity),
    hintsUsed: hinted.appliedHintIds,
  };
}

/**
 * The model to serve for a series of `length` steps: the preferred one (the backtest's
 * choice) when the series is long enough for it, else the first of `fallbacks` that fits.
 */
export function pickServableModel<Name extends string>(
  preferred: Name | undefined,
  length: number,
  minimumLength: (name: Name) => number,
  fallbacks: readonly Name[],
): Name | undefined {
  if (preferred !== undefined && length >= minimumLength(preferred)) return preferred;
  return fallbacks.find((name) => length >= minimumLength(name));
}

/** Load is never negative and quantiles never cross, whatever a model's arithmetic produced. */
function orderedQuantiles(q: QuantileForecast): QuantileForecast {
  const [p10, p50, p90] = [q.p10, q.p50, q.p90]
    .map((v) => (Number.isFinite(v) ? Math.max(0, v) : 0))
    .sort((a, b) => a - b) as [number, number, number];
  return { p10, p50, p90 };
}
