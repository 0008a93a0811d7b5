import type {
  ForecastContext,
  ForecastModel,
  ForecastModelState,
  QuantileForecast,
} from './forecast-model.js';
import { assertHorizon, assertSeries, assertStateFor, numberField, toJsonObject } from './forecast-model.js';
import type { ResidualQuantiles } from './residual-quantiles.js';
import { quantilesAround, residualQuantiles, residualQuantilesFromJson } from './residual-quantiles.js';

const FORMAT_VERSION = 1;

interface NaiveFit {
  readonly last: number;
  readonly residuals: ResidualQuantiles;
  readonly intervalMs: number;
  readonly nextStepMs: number;
}

/**
 * Tomorrow looks like now: every step forecasts the last value. The band widens with
 * √h because a random walk's h-step error is the sum of h one-step errors.
 */
export class NaiveModel implements ForecastModel {
  readonly name = 'naive';
  private fitted: NaiveFit | undefined;

  fit(series: readonly number[], context: ForecastContext): void {
    assertSeries(series, 1, this.name);
    const differences: number[] = [];
    for (let t = 1; t < series.length; t += 1)
      differences.push((series[t] as number) - (series[t - 1] as number));
    this.fitted = {
      last: series[series.length - 1] as number,
      residuals: residualQuantiles(differences),
      intervalMs: context.intervalMs,
      nextStepMs: context.startMs + series.length * context.intervalMs,
    };
  }

  forecast(horizon: number): QuantileForecast[] {
    assertHorizon(horizon);
    const fit = this.requireFit();
    return Array.from({ length: horizon }, (_, i) =>
      quantilesAround(fit.last, fit.residuals, Math.sqrt(i + 1)),
    );
  }

  exportState(): ForecastModelState {
    const fit = this.requireFit();
    return {
      model: this.name,
      formatVersion: FORMAT_VERSION,
      intervalMs: fit.intervalMs,
      nextStepMs: fit.nextStepMs,
      params: toJsonObject({ last: fit.last, residuals: fit.residuals }),
    };
  }

  importState(state: ForecastModelState): void {
    const params = assertStateFor(state, this.name, FORMAT_VERSION);
    this.fitted = {
      last: numberField(params, 'last'),
      residuals: residualQuantilesFromJson(params['residuals']),
      intervalMs: state.intervalMs,
      nextStepMs: state.nextStepMs,
    };
  }

  private requireFit(): NaiveFit {
    if (!this.fitted) throw new Error(`${this.name} model is not fitted`);
    return this.fitted;
  }
}
