import type {
  ForecastContext,
  ForecastModel,
  ForecastModelState,
  JsonObject,
  QuantileForecast,
  SeriesScaler,
} from '../domain/index.js';
import {
  asObject,
  assertHorizon,
  assertSeries,
  assertStateFor,
  fitScaler,
  numberArrayField,
  numberField,
  quantile,
  toJsonObject,
  unscaleValue,
} from '../domain/index.js';
import type { GlobalLstmNetwork } from './lstm-network.js';
import { inferenceInput, seriesInputs } from './lstm-network.js';

const FORMAT_VERSION = 1;

export interface LstmForecastOptions {
  /** Recent windows of the shard's own history whose errors set the band (default 48). */
  readonly residualWindows?: number;
}

interface LstmFit {
  readonly scaler: SeriesScaler;
  /** Scaled point forecast per step. */
  readonly points: readonly number[];
  /** Per step, quantiles of (actual − forecast) in scaled units over the recent windows. */
  readonly residuals: readonly { readonly p10: number; readonly p50: number; readonly p90: number }[];
  readonly intervalMs: number;
  readonly nextStepMs: number;
}

/**
 * The ForecastModel face of the global LSTM for one shard. `fit` does not train (the
 * network is trained across shards beforehand); it conditions on the shard's series:
 * scales it, forecasts from its last window, and measures the network's errors on the
 * shard's most recent windows, step by step. The band is those errors' quantiles added in
 * log space, so it is multiplicative and skewed like the load, and p50 includes the
 * network's median bias on this shard.
 */
export class LstmForecastModel implements ForecastModel {
  readonly name = 'lstm';
  private fitted: LstmFit | undefined;

  constructor(
    private readonly network: GlobalLstmNetwork,
    private readonly options: LstmForecastOptions = {},
  ) {}

  /** Shortest series this model can fit: one window plus one horizon to measure its errors on. */
  static minimumLength(network: GlobalLstmNetwork): number {
    return network.architecture.lookback + network.architecture.horizon;
  }

  fit(series: readonly number[], context: ForecastContext): void {
    const { lookback, horizon } = this.network.architecture;
    assertSeries(series, lookback + horizon, this.name);
    const calendar = series.map((_, i) => context.startMs + i * context.intervalMs);
    const scaler = fitScaler(series);
    const residualWindows = this.options.residualWindows ?? 48;
    // Only the recent windows are needed: build them from the tail (plus the seasons before it).
    const architecture = this.network.architecture;
    const history = (architecture.seasonLength ?? 0) * (architecture.seasons ?? 3);
    const tailStart = Math.max(0, series.length - (lookback + horizon + residualWindows - 1) - history);
    const recent = seriesInputs(series.slice(tailStart), calendar.slice(tailStart), architecture, scaler);
    const from = Math.max(0, recent.inputs.length - residualWindows);
    const inputs = recent.inputs.slice(from);
    const targets = recent.targets.slice(from);
    const inference = inferenceInput(series, calendar, architecture, scaler);
    const predictions = this.network.predict([...inputs, inference]);
    const points = predictions[predictions.length - 1] as number[];
    const residuals = Array.from({ length: horizon }, (_, h) => {
      const errors = targets.map((t, w) => (t[h] as number) - ((predictions[w] as number[])[h] as number));
      return { p10: quantile(errors, 0.1), p50: quantile(errors, 0.5), p90: quantile(errors, 0.9) };
    });
    this.fitted = {
      scaler,
      points,
      residuals,
      intervalMs: context.intervalMs,
      nextStepMs: context.startMs + series.length * context.intervalMs,
    };
  }

  forecast(horizon: number): QuantileForecast[] {
    assertHorizon(horizon);
    const fit = this.requireFit();
    if (horizon > fit.points.length) {
      throw new RangeError(`the network forecasts ${fit.points.length} steps; ${horizon} were asked for`);
    }
    return Array.from({ length: horizon }, (_, h) => {
      const point = fit.points[h] as number;
      const r = fit.residuals[h] as LstmFit['residuals'][number];
      return {
        p10: unscaleValue(fit.scaler, point + r.p10),
        p50: unscaleValue(fit.scaler, point + r.p50),
        p90: unscaleValue(fit.scaler, point + r.p90),
      };
    });
  }

  exportState(): ForecastModelState {
    const fit = this.requireFit();
    return {
      model: this.name,
      formatVersion: FORMAT_VERSION,
      intervalMs: fit.intervalMs,
      nextStepMs: fit.nextStepMs,
      params: toJsonObject({ scaler: fit.scaler, points: fit.points, residuals: fit.residuals }),
    };
  }

  importState(state: ForecastModelState): void {
    const params = assertStateFor(state, this.name, FORMAT_VERSION);
    const scaler = asObject(params['scaler'], 'scaler');
    const residuals = params['residuals'];
    if (!Array.isArray(residuals)) throw new Error('residuals must be an array');
    this.fitted = {
      scaler: { kind: 'log1p-zscore', mean: numberField(scaler, 'mean'), std: numberField(scaler, 'std') },
      points: numberArrayField(params, 'points'),
      residuals: residuals.map((r) => {
        const o: JsonObject = asObject(r, 'residual');
        return { p10: numberField(o, 'p10'), p50: numberField(o, 'p50'), p90: numberField(o, 'p90') };
      }),
      intervalMs: state.intervalMs,
      nextStepMs: state.nextStepMs,
    };
  }

  private requireFit(): LstmFit {
    if (!this.fitted) throw new Error(`${this.name} model is not fitted`);
    return this.fitted;
  }
}
