import type {
  ForecastContext,
  ForecastModel,
  ForecastModelState,
  QuantileForecast,
} from './forecast-model.js';
import {
  assertHorizon,
  assertSeries,
  assertStateFor,
  numberArrayField,
  numberField,
  toJsonObject,
} from './forecast-model.js';
import type { ResidualQuantiles } from './residual-quantiles.js';
import { quantilesAround, residualQuantiles, residualQuantilesFromJson } from './residual-quantiles.js';

const FORMAT_VERSION = 1;

interface SeasonalNaiveFit {
  readonly seasonLength: number;
  /** The last full season, oldest first: step h forecasts lastSeason[(h − 1) mod m]. */
  readonly lastSeason: readonly number[];
  readonly residuals: ResidualQuantiles;
  readonly intervalMs: number;
  readonly nextStepMs: number;
}

export interface SeasonalNaiveOptions {
  /** Fixed season in steps; by default the shortest of the context's seasons that the series covers. */
  readonly seasonLength?: number;
}

/**
 * Each step repeats the value one season earlier. The h-step error sums one one-step
 * (seasonal-difference) error per season crossed, hence a spread of √(⌊(h−1)/m⌋+1).
 * With no season covered by the series it degrades to the naive model (m = 1).
 */
export class SeasonalNaiveModel implements ForecastModel {
  readonly name = 'seasonal-naive';
  private fitted: SeasonalNaiveFit | undefined;

  constructor(private readonly options: SeasonalNaiveOptions = {}) {}

  fit(series: readonly number[], context: ForecastContext): void {
    assertSeries(series, 1, this.name);
    const m = this.chooseSeasonLength(series.length, context.seasonLengths);
    const differences: number[] = [];
    for (let t = m; t < series.length; t += 1)
      differences.push((series[t] as number) - (series[t - m] as number));
    this.fitted = {
      seasonLength: m,
      lastSeason: series.slice(series.length - m),
      residuals: residualQuantiles(differences),
      intervalMs: context.intervalMs,
      nextStepMs: context.startMs + series.length * context.intervalMs,
    };
  }

  forecast(horizon: number): QuantileForecast[] {
    assertHorizon(horizon);
    const fit = this.requireFit();
    const m = fit.seasonLength;
    return Array.from({ length: horizon }, (_, i) =>
      quantilesAround(fit.lastSeason[i % m] as number, fit.residuals, Math.sqrt(Math.floor(i / m) + 1)),
    );
  }

  /** Season length actually used by the last fit (1 when none fitted the series). */
  get seasonLength(): number {
    return this.requireFit().seasonLength;
  }

  exportState(): ForecastModelState {
    const fit = this.requireFit();
    return {
      model: this.name,
      formatVersion: FORMAT_VERSION,
      intervalMs: fit.intervalMs,
      nextStepMs: fit.nextStepMs,
      params: toJsonObject({
        seasonLength: fit.seasonLength,
        lastSeason: fit.lastSeason,
        residuals: fit.residuals,
      }),
    };
  }

  importState(state: ForecastModelState): void {
    const params = assertStateFor(state, this.name, FORMAT_VERSION);
    const seasonLength = numberField(params, 'seasonLength');
    const lastSeason = numberArrayField(params, 'lastSeason');
    if (lastSeason.length !== seasonLength) throw new Error('lastSeason must hold exactly one season');
    this.fitted = {
      seasonLength,
      lastSeason,
      residuals: residualQuantilesFromJson(params['residuals']),
      intervalMs: state.intervalMs,
      nextStepMs: state.nextStepMs,
    };
  }

  private chooseSeasonLength(length: number, seasonLengths: readonly number[]): number {
    if (this.options.seasonLength !== undefined) {
      if (!Number.isInteger(this.options.seasonLength) || this.options.seasonLength < 1) {
        throw new RangeError('seasonLength must be a positive integer');
      }
      if (this.options.seasonLength > length) throw new RangeError('series is shorter than one season');
      return this.options.seasonLength;
    }
    // A season needs one full cycle plus one point to leave any residual to estimate the band from.
    const fitting = seasonLengths.filter((m) => Number.isInteger(m) && m >= 1 && length > m);
    return fitting.length === 0 ? 1 : Math.min(...fitting);
  }

  private requireFit(): SeasonalNaiveFit {
    if (!this.fitted) throw new Error(`${this.name} model is not fitted`);
    return this.fitted;
  }
}
