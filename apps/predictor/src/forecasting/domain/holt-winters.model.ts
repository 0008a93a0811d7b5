import type {
  ForecastContext,
  ForecastModel,
  ForecastModelState,
  JsonObject,
  QuantileForecast,
} from './forecast-model.js';
import {
  asObject,
  assertHorizon,
  assertSeries,
  assertStateFor,
  numberArrayField,
  numberField,
  toJsonObject,
} from './forecast-model.js';
import { minimiseNelderMead } from './nelder-mead.js';
import type { ResidualQuantiles } from './residual-quantiles.js';
import { quantilesAround, residualQuantiles, residualQuantilesFromJson } from './residual-quantiles.js';
import { clamp, linearFit, logit, mean, sigmoid, variance } from './statistics.js';

const FORMAT_VERSION = 1;

/**
 * Smoothing parameters in the familiar component form, each in (0, 1):
 * alpha for the level, beta for the trend (share of the level's change), one gamma per
 * season, and phi the trend damping (1 = undamped).
 */
export interface HoltWintersParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gammas: readonly number[];
  readonly phi: number;
}

export interface HoltWintersOptions {
  /** Damped trend (default true): long horizons stop extrapolating a trend that rarely lasts. */
  readonly damped?: boolean;
  /** At most this many seasons, shortest first (default 2: daily and weekly). */
  readonly maxSeasons?: number;
  /** Full cycles a season beyond the shortest needs before it is used (default 3; the shortest needs 2). */
  readonly minCyclesForLongerSeasons?: number;
  /** Fixed parameters: fit then only runs the filter (e.g. a retrain that keeps last week's parameters). */
  readonly parameters?: HoltWintersParameters;
  /** Budget of SSE evaluations for the Nelder-Mead refinement (default 400). */
  readonly maxEvaluations?: number;
}

export interface HoltWintersSummary {
  readonly seasonLengths: readonly number[];
  readonly parameters: HoltWintersParameters;
  /** Root mean square of the in-sample one-step errors after the burn-in. */
  readonly oneStepRmse: number;
}

interface FilterState {
  readonly level: number;
  readonly trend: number;
  /** One array per season, indexed by phase (t mod m) where t = 0 is the series' first point. */
  readonly seasonals: readonly (readonly number[])[];
}

interface HoltWintersFit {
  readonly seasonLengths: readonly number[];
  readonly parameters: HoltWintersParameters;
  readonly level: number;
  readonly trend: number;
  /** Rotated so that index 0 is the phase of the first forecast step. */
  readonly seasonals: readonly (readonly number[])[];
  readonly residuals: ResidualQuantiles;
  readonly oneStepRmse: number;
  readonly intervalMs: number;
  readonly nextStepMs: number;
}

const ALPHA_BOUNDS = [0.001, 0.99] as const;
const BETA_BOUNDS = [0.001, 0.99] as const;
const GAMMA_BOUNDS = [0.001, 0.99] as const;
// The usual damping range (Hyndman & Athanasopoulos): below 0.8 the trend vanishes within a few steps.
const PHI_BOUNDS = [0.8, 0.98] as const;

const GRID = {
  alpha: [0.05, 0.2, 0.5, 0.8],
  beta: [0.02, 0.2],
  gamma: [0.05, 0.3],
  phi: [0.9, 0.98],
};

/**
 * Additive Holt-Winters with damped trend and up to two seasons (Taylor's double-seasonal
 * form for daily plus weekly), written in error-correction form:
 *
 *   e_t = y_t − (ℓ + φb + Σ_k s_k[t mod m_k])
 *   ℓ ← ℓ + φb + αe,  b ← φb + αβe,  s_k[t mod m_k] ← s_k[t mod m_k] + γ_k(1 − α)e
 *
 * which is algebraically the component form and gives the h-step error variance in
 * closed form (Hyndman et al. 2008, class 1): σ²(1 + Σ_{j<h} c_j²) with
 * c_j = α(1 + βΣ_{i≤j}φ^i) + Σ_k γ_k(1 − α)·[m_k divides j]. Quantiles are the empirical
 * one-step residual quantiles, corrected for the states fitted to the same data, scaled by
 * that factor (see residual-quantiles.ts).
 *
 * Parameters minimise the one-step SSE after a burn-in of one short season: a coarse grid
 * first, then Nelder-Mead on logit-transformed parameters, which keeps them inside their
 * bounds without a constrained optimiser.
 */
export class HoltWintersModel implements ForecastModel {
  readonly name = 'holt-winters';
  private fitted: HoltWintersFit | undefined;

  constructor(private readonly options: HoltWintersOptions = {}) {}

  fit(series: readonly number[], context: ForecastContext): void {
    assertSeries(series, 3, this.name);
    const seasonLengths = this.usableSeasons(series.length, context.seasonLengths);
    const initial = initialState(series, seasonLengths);
    const burnIn = Math.min(seasonLengths[0] ?? 2, Math.floor(series.length / 2));
    const damped = this.options.damped ?? true;

    const parameters =
      this.options.parameters ?? optimise(series, seasonLengths, initial, burnIn, damped, this.options);
    if (parameters.gammas.length !== seasonLengths.length) {
      throw new RangeError(
        `expected ${seasonLengths.length} gammas for seasons [${seasonLengths.join(', ')}]`,
      );
    }
    const run = runFilter(series, seasonLengths, parameters, initial, burnIn, true);
    const n = series.length;
    this.fitted = {
      seasonLengths,
      parameters,
      level: run.state.level,
      trend: run.state.trend,
      seasonals: run.state.seasonals.map((s, k) => rotate(s, n % (seasonLengths[k] as number))),
      residuals: inflate(
        residualQuantiles(run.residuals),
        degreesOfFreedomInflation(run.residuals.length, initial),
      ),
      oneStepRmse: Math.sqrt(run.sse / Math.max(1, n - burnIn)),
      intervalMs: context.intervalMs,
      nextStepMs: context.startMs + n * context.intervalMs,
    };
  }

  forecast(horizon: number): QuantileForecast[] {
    assertHorizon(horizon);
    const fit = this.requireFit();
    const { alpha, beta, gammas, phi } = fit.parameters;
    const out: QuantileForecast[] = [];
    let dampedSum = 0; // Σ_{i=1..h} φ^i
    let power = 1;
    let varianceFactor = 1; // 1 + Σ_{j<h} c_j²
    for (let h = 1; h <= horizon; h += 1) {
      power *= phi;
      const previousDampedSum = dampedSum; // Σ_{i=1..h−1} φ^i, used for c_{h−1}
      dampedSum += power;
      if (h > 1) {
        const j = h - 1;
        let c = alpha * (1 + beta * previousDampedSum);
        fit.seasonLengths.forEach((m, k) => {
          if (j % m === 0) c += (gammas[k] as number) * (1 - alpha);
        });
        varianceFactor += c * c;
      }
      let point = fit.level + dampedSum * fit.trend;
      fit.seasonals.forEach((s, k) => {
        point += s[(h - 1) % (fit.seasonLengths[k] as number)] as number;
      });
      out.push(quantilesAround(point, fit.residuals, Math.sqrt(varianceFactor)));
    }
    return out;
  }

  get summary(): HoltWintersSummary {
    const fit = this.requireFit();
    return { seasonLengths: fit.seasonLengths, parameters: fit.parameters, oneStepRmse: fit.oneStepRmse };
  }

  exportState(): ForecastModelState {
    const fit = this.requireFit();
    return {
      model: this.name,
      formatVersion: FORMAT_VERSION,
      intervalMs: fit.intervalMs,
      nextStepMs: fit.nextStepMs,
      params: toJsonObject({
        seasonLengths: fit.seasonLengths,
        parameters: fit.parameters,
        level: fit.level,
        trend: fit.trend,
        seasonals: fit.seasonals,
        residuals: fit.residuals,
        oneStepRmse: fit.oneStepRmse,
      }),
    };
  }

  importState(state: ForecastModelState): void {
    const params = assertStateFor(state, this.name, FORMAT_VERSION);
    const seasonLengths = numberArrayField(params, 'seasonLengths');
    const parameters = parametersFromJson(asObject(params['parameters'], 'parameters'));
    const rawSeasonals = params['seasonals'];
    if (!Array.isArray(rawSeasonals) || rawSeasonals.length !== seasonLengths.length) {
      throw new Error('seasonals must hold one array per season');
    }
    const seasonals = seasonLengths.map((m, k) => {
      const values = numberArrayField({ values: rawSeasonals[k] ?? null }, 'values');
      if (values.length !== m) throw new Error(`season ${k} must have ${m} values`);
      return values;
    });
    if (parameters.gammas.length !== seasonLengths.length) throw new Error('one gamma per season expected');
    this.fitted = {
      seasonLengths,
      parameters,
      level: numberField(params, 'level'),
      trend: numberField(params, 'trend'),
      seasonals,
      residuals: residualQuantilesFromJson(params['residuals']),
      oneStepRmse: numberField(params, 'oneStepRmse'),
      intervalMs: state.intervalMs,
      nextStepMs: state.nextStepMs,
    };
  }

  private usableSeasons(length: number, seasonLengths: readonly number[]): number[] {
    const maxSeasons = this.options.maxSeasons ?? 2;
    const minCycles = this.options.minCyclesForLongerSeasons ?? 3;
    const candidates = [...new Set(seasonLengths)]
      .filter((m) => Number.isInteger(m) && m >= 2)
      .sort((a, b) => a - b);
    const chosen: number[] = [];
    for (const m of candidates) {
      if (chosen.length >= maxSeasons) break;
      // Initial seasonal states average over cycles: two for the main season, more for longer
      // ones, whose many states would otherwise start as mostly noise.
      if (length >= (chosen.length === 0 ? 2 : minCycles) * m) chosen.push(m);
    }
    return chosen;
  }

  private requireFit(): HoltWintersFit {
    if (!this.fitted) throw new Error(`${this.name} model is not fitted`);
    return this.fitted;
  }
}

/**
 * In-sample residuals are smaller than out-of-sample errors by the states fitted to the
 * same data (a weekly season over three weeks fits away a third of the noise). The usual
 * regression correction √(n / (n − k)), capped at 2 for very short series, restores the
 * band's coverage; k counts initial states and the smoothing parameters.
 */
function degreesOfFreedomInflation(residualCount: number, initial: InitialState): number {
  const k = initial.estimatedStates + 2 + initial.seasonals.length + 1;
  const freedom = Math.max(residualCount - k, residualCount / 4);
  return freedom > 0 ? Math.sqrt(residualCount / freedom) : 1;
}

function inflate(residuals: ResidualQuantiles, factor: number): ResidualQuantiles {
  return { p10: residuals.p10 * factor, p50: residuals.p50 * factor, p90: residuals.p90 * factor };
}

function parametersFromJson(object: JsonObject): HoltWintersParameters {
  return {
    alpha: numberField(object, 'alpha'),
    beta: numberField(object, 'beta'),
    gammas: numberArrayField(object, 'gammas'),
    phi: numberField(object, 'phi'),
  };
}

function rotate(values: readonly number[], by: number): number[] {
  return values.map((_, i) => values[(i + by) % values.length] as number);
}

/**
 * Initial level and trend from a least-squares line through the means of the shortest
 * season's cycles (so the seasonal swing does not bias the slope), then each season's
 * states as the average detrended deviation by phase, shortest season first, each
 * longer one net of the shorter ones and centred per shorter phase so the two do not
 * both carry the daily shape.
 */
interface InitialState extends FilterState {
  /** Initial states estimated from the data, counting shrunk seasonal states fractionally. */
  readonly estimatedStates: number;
}

function initialState(series: readonly number[], seasonLengths: readonly number[]): InitialState {
  const n = series.length;
  const m1 = seasonLengths[0];
  if (m1 === undefined) {
    const steps = Math.min(n - 1, 4);
    const trend = ((series[steps] as number) - (series[0] as number)) / steps;
    return { level: (series[0] as number) - trend, trend, seasonals: [], estimatedStates: 2 };
  }
  const cycles = Math.floor(n / m1);
  const centres: number[] = [];
  const cycleMeans: number[] = [];
  for (let c = 0; c < cycles; c += 1) {
    centres.push(c * m1 + (m1 - 1) / 2);
    cycleMeans.push(mean(series.slice(c * m1, (c + 1) * m1)));
  }
  const line = linearFit(centres, cycleMeans);
  const detrended = series.map((y, t) => y - (line.intercept + line.slope * t));

  const seasonals: number[][] = [];
  let estimatedStates = 2;
  for (const m of seasonLengths) {
    const full = Math.floor(n / m);
    const states = new Array<number>(m).fill(0);
    let withinPhaseVariance = 0;
    for (let j = 0; j < m; j += 1) {
      const values: number[] = [];
      for (let c = 0; c < full; c += 1) {
        const t = c * m + j;
        let value = detrended[t] as number;
        seasonals.forEach((shorter) => {
          value -= shorter[t % shorter.length] as number;
        });
        values.push(value);
      }
      states[j] = mean(values);
      withinPhaseVariance += (variance(values) * full) / (full - 1) / m;
    }
    for (const shorter of seasonals) centrePerPhase(states, shorter.length);
    const overall = mean(states);
    const centred = states.map((s) => s - overall);
    const shrink = seasonalShrinkage(centred, withinPhaseVariance / full);
    seasonals.push(centred.map((s) => s * shrink));
    estimatedStates += shrink * (m - 1);
  }
  return { level: line.intercept - line.slope, trend: line.slope, seasonals, estimatedStates };
}

/**
 * Empirical-Bayes shrinkage of initial seasonal states towards zero. Each state averages
 * only a few cycles (a weekly season over three weeks: three values), so part of its
 * spread is noise (variance `noiseVariance`); the filter would carry that noise into
 * every forecast. Scaling by the estimated signal share of the spread removes it, and
 * leaves a well-supported season (the daily one over weeks of data) nearly untouched.
 */
function seasonalShrinkage(states: readonly number[], noiseVariance: number): number {
  const total = variance(states);
  if (!(total > 0)) return 0;
  return clamp(1 - noiseVariance / total, 0, 1);
}

/** Removes the mean of each residue class mod `period`, when period divides the season. */
function centrePerPhase(states: number[], period: number): void {
  if (states.length % period !== 0) return;
  for (let r = 0; r < period; r += 1) {
    let total = 0;
    let count = 0;
    for (let j = r; j < states.length; j += period) {
      total += states[j] as number;
      count += 1;
    }
    const phaseMean = total / count;
    for (let j = r; j < states.length; j += period) states[j] = (states[j] as number) - phaseMean;
  }
}

interface FilterRun {
  readonly sse: number;
  readonly residuals: number[];
  readonly state: FilterState;
}

function runFilter(
  series: readonly number[],
  seasonLengths: readonly number[],
  parameters: HoltWintersParameters,
  initial: FilterState,
  burnIn: number,
  keepResiduals: boolean,
): FilterRun {
  const { alpha, beta, gammas, phi } = parameters;
  const seasonals = initial.seasonals.map((s) => [...s]);
  const seasonGains = gammas.map((g) => g * (1 - alpha));
  const trendGain = alpha * beta;
  let level = initial.level;
  let trend = initial.trend;
  let sse = 0;
  const residuals: number[] = [];
  for (let t = 0; t < series.length; t += 1) {
    let seasonal = 0;
    for (let k = 0; k < seasonals.length; k += 1) {
      seasonal += (seasonals[k] as number[])[t % (seasonLengths[k] as number)] as number;
    }
    const error = (series[t] as number) - (level + phi * trend + seasonal);
    if (t >= burnIn) {
      sse += error * error;
      if (keepResiduals) residuals.push(error);
    }
    level = level + phi * trend + alpha * error;
    trend = phi * trend + trendGain * error;
    for (let k = 0; k < seasonals.length; k += 1) {
      const s = seasonals[k] as number[];
      const phase = t % (seasonLengths[k] as number);
      s[phase] = (s[phase] as number) + (seasonGains[k] as number) * error;
    }
  }
  return { sse, residuals, state: { level, trend, seasonals } };
}

function optimise(
  series: readonly number[],
  seasonLengths: readonly number[],
  initial: FilterState,
  burnIn: number,
  damped: boolean,
  options: HoltWintersOptions,
): HoltWintersParameters {
  const seasons = seasonLengths.length;
  const toBounded = (u: number, [lo, hi]: readonly [number, number]): number => lo + (hi - lo) * sigmoid(u);
  // Clamped so that a grid value on a bound maps to a finite starting point.
  const toFree = (p: number, [lo, hi]: readonly [number, number]): number =>
    logit(clamp((p - lo) / (hi - lo), 1e-4, 1 - 1e-4));
  const decode = (u: readonly number[]): HoltWintersParameters => ({
    alpha: toBounded(u[0] as number, ALPHA_BOUNDS),
    beta: toBounded(u[1] as number, BETA_BOUNDS),
    gammas: Array.from({ length: seasons }, (_, k) => toBounded(u[2 + k] as number, GAMMA_BOUNDS)),
    phi: damped ? toBounded(u[2 + seasons] as number, PHI_BOUNDS) : 1,
  });
  const sse = (parameters: HoltWintersParameters): number =>
    runFilter(series, seasonLengths, parameters, initial, burnIn, false).sse;

  let best: HoltWintersParameters | undefined;
  let bestSse = Number.POSITIVE_INFINITY;
  for (const gammas of gridProduct(GRID.gamma, seasons)) {
    for (const alpha of GRID.alpha) {
      for (const beta of GRID.beta) {
        for (const phi of damped ? GRID.phi : [1]) {
          const candidate = { alpha, beta, gammas, phi };
          const value = sse(candidate);
          if (value < bestSse) {
            bestSse = value;
            best = candidate;
          }
        }
      }
    }
  }
  const start = best as HoltWintersParameters;
  const u0 = [
    toFree(start.alpha, ALPHA_BOUNDS),
    toFree(start.beta, BETA_BOUNDS),
    ...start.gammas.map((g) => toFree(g, GAMMA_BOUNDS)),
    ...(damped ? [toFree(start.phi, PHI_BOUNDS)] : []),
  ];
  const refined = minimiseNelderMead((u) => sse(decode(u)), u0, {
    step: 0.7,
    maxEvaluations: options.maxEvaluations ?? 400,
    tolerance: 1e-7,
  });
  return refined.value <= bestSse ? decode(refined.point) : start;
}

function gridProduct(values: readonly number[], length: number): number[][] {
  let combos: number[][] = [[]];
  for (let i = 0; i < length; i += 1) combos = combos.flatMap((combo) => values.map((v) => [...combo, v]));
  return combos;
}
