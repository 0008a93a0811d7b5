/**
 * The contract every forecasting model meets, statistical or neural. The service
 * fits, backtests, serves and persists models only through this interface, so the
 * tfjs LSTM and the baselines are interchangeable.
 */

/** One future interval's load distribution, by quantile. */
export interface QuantileForecast {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

/** Where a series sits in time; seasonLengths are in steps (e.g. [96, 672] for daily and weekly at 15 min). */
export interface ForecastContext {
  readonly intervalMs: number;
  /** Start of the series' first interval (epoch ms, UTC). */
  readonly startMs: number;
  readonly seasonLengths: readonly number[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A fitted model as JSON: what the service versions and stores, and restores with importState. */
export interface ForecastModelState {
  readonly model: string;
  /** Version of the params layout; a model refuses layouts it does not know. */
  readonly formatVersion: number;
  readonly intervalMs: number;
  /** Start of the first interval that forecast(…)[0] describes. */
  readonly nextStepMs: number;
  readonly params: JsonValue;
}

export interface ForecastModel {
  readonly name: string;
  /** Fits to a complete series (oldest first), replacing any earlier fit. */
  fit(series: readonly number[], context: ForecastContext): void;
  /** Quantiles for the `horizon` intervals that follow the fitted series. */
  forecast(horizon: number): QuantileForecast[];
  exportState(): ForecastModelState;
  importState(state: ForecastModelState): void;
}

/** Builds an unfitted model; backtests call it once per fold. */
export type ForecastModelFactory = () => ForecastModel;

/** Start times of the forecast steps after a series. */
export function forecastStepTimes(nextStepMs: number, intervalMs: number, horizon: number): number[] {
  return Array.from({ length: horizon }, (_, i) => nextStepMs + i * intervalMs);
}

export function assertSeries(series: readonly number[], minimumLength: number, model: string): void {
  if (series.length < minimumLength) {
    throw new RangeError(`${model} needs at least ${minimumLength} points, got ${series.length}`);
  }
  for (const value of series) {
    if (!Number.isFinite(value)) throw new RangeError(`${model}: series contains a non-finite value`);
  }
}

export function assertHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 0)
    throw new RangeError(`horizon must be a non-negative integer`);
}

export function assertStateFor(state: ForecastModelState, model: string, formatVersion: number): JsonObject {
  if (state.model !== model) throw new Error(`state belongs to model '${state.model}', not '${model}'`);
  if (state.formatVersion !== formatVersion) {
    throw new Error(`${model} cannot read params format ${state.formatVersion} (knows ${formatVersion})`);
  }
  return asObject(state.params, 'params');
}

export type JsonObject = { [key: string]: JsonValue };

export function asObject(value: JsonValue | undefined, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} must be an object`);
  }
  return value;
}

export function numberField(object: JsonObject, key: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${key} must be a finite number`);
  return value;
}

export function numberArrayField(object: JsonObject, key: string): number[] {
  const value = object[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${key} must be an array of finite numbers`);
  }
  return value as number[];
}

/** Model parameters as a JSON object (interfaces are not assignable to JsonValue's index signature). */
export function toJsonObject(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
