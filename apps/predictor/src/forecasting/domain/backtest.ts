import type { ForecastContext, ForecastModelFactory } from './forecast-model.js';
import type { ForecastMetrics } from './forecast-metrics.js';
import { averageMetrics, evaluateForecast } from './forecast-metrics.js';

export interface BacktestOptions {
  /** Forecast origins wanted; fewer are used when the series is too short for all of them. */
  readonly folds: number;
  readonly horizon: number;
  /** Shortest training prefix a fold may have. */
  readonly minTrain: number;
  /** Steps between origins (default horizon: test windows that touch but do not overlap). */
  readonly step?: number;
}

export interface BacktestFold {
  readonly origin: number;
  readonly metrics: ForecastMetrics;
}

export interface BacktestResult {
  readonly model: string;
  /** Metrics averaged over the folds. */
  readonly metrics: ForecastMetrics;
  readonly folds: readonly BacktestFold[];
}

/**
 * Rolling-origin evaluation: the model is refitted on every prefix series[0, origin)
 * and scored on series[origin, origin + horizon). Origins end at the series' end
 * and step back by `step`, so the most recent behaviour is always tested. MASE is
 * scaled with the shortest season in the context (the daily one by convention).
 */
export function backtest(
  series: readonly number[],
  modelFactory: ForecastModelFactory,
  options: BacktestOptions,
  context: ForecastContext,
): BacktestResult {
  const { horizon, minTrain } = options;
  const step = options.step ?? horizon;
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError('horizon must be a positive integer');
  if (!Number.isInteger(step) || step < 1) throw new RangeError('step must be a positive integer');
  if (!Number.isInteger(options.folds) || options.folds < 1)
    throw new RangeError('folds must be a positive integer');
  const lastOrigin = series.length - horizon;
  if (lastOrigin < minTrain) {
    throw new RangeError(
      `series of ${series.length} is too short for minTrain ${minTrain} and horizon ${horizon}`,
    );
  }
  const folds = Math.min(options.folds, Math.floor((lastOrigin - minTrain) / step) + 1);
  const seasonLength = Math.min(...context.seasonLengths.filter((m) => m >= 1), Number.POSITIVE_INFINITY);
  const scaleSeason = Number.isFinite(seasonLength) ? seasonLength : 1;

  let name = '';
  const results: BacktestFold[] = [];
  for (let f = folds - 1; f >= 0; f -= 1) {
    const origin = lastOrigin - f * step;
    const training = series.slice(0, origin);
    const model = modelFactory();
    name = model.name;
    model.fit(training, context);
    const forecast = model.forecast(horizon);
    const actual = series.slice(origin, origin + horizon);
    results.push({ origin, metrics: evaluateForecast(actual, forecast, training, scaleSeason) });
  }
  return { model: name, metrics: averageMetrics(results.map((r) => r.metrics)), folds: results };
}

export interface ServingChoiceOptions {
  /** MASEs within this relative distance of the best count as tied (default 0.02). */
  readonly tieTolerance?: number;
}

/**
 * The model to serve: lowest backtest MASE. Results whose MASE is within `tieTolerance`
 * of the best are ties, because a 2 % MASE gap over a handful of folds is noise; ties go
 * to the lower mean pinball loss (the better band, which RRS is computed from), then to
 * the result listed first, so callers list cheaper models first and the cheaper one
 * wins a dead heat. Non-finite MASEs never win unless nothing else exists.
 */
export function chooseServingModel(
  results: readonly BacktestResult[],
  options: ServingChoiceOptions = {},
): BacktestResult {
  const first = results[0];
  if (first === undefined) throw new RangeError('no backtest results to choose from');
  const tolerance = options.tieTolerance ?? 0.02;
  const finite = results.filter((r) => Number.isFinite(r.metrics.mase));
  if (finite.length === 0) return first;
  const bestMase = Math.min(...finite.map((r) => r.metrics.mase));
  const tied = finite.filter((r) => r.metrics.mase <= bestMase * (1 + tolerance) + 1e-12);
  return tied.reduce((chosen, candidate) =>
    candidate.metrics.pinball.mean < chosen.metrics.pinball.mean ? candidate : chosen,
  );
}
