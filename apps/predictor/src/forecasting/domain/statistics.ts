/** Small numeric helpers shared by the forecasting and risk domains. */

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

/** Population variance (divides by n); NaN for an empty list. */
export function variance(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const m = mean(values);
  let total = 0;
  for (const v of values) total += (v - m) * (v - m);
  return total / values.length;
}

export function standardDeviation(values: readonly number[]): number {
  return Math.sqrt(variance(values));
}

/**
 * Quantile with linear interpolation between order statistics (Hyndman-Fan type 7,
 * the default of R and NumPy); NaN for an empty list.
 */
export function quantile(values: readonly number[], probability: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileOfSorted(sorted, probability);
}

export function quantileOfSorted(sorted: readonly number[], probability: number): number {
  if (sorted.length === 0) return Number.NaN;
  const p = Math.min(1, Math.max(0, probability));
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median absolute deviation from the median (unscaled; multiply by 1.4826 for a normal sigma). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** Consistency constant that turns a MAD into a standard deviation under normality. */
export const MAD_TO_SIGMA = 1.4826;

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** slope / its standard error; 0 when the residuals vanish or there are fewer than 3 points. */
  readonly tStatistic: number;
}

/** Ordinary least squares y = intercept + slope·x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return { slope: 0, intercept: n === 1 ? (ys[0] as number) : Number.NaN, tStatistic: 0 };
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (xs[i] as number) - mx;
    sxx += dx * dx;
    sxy += dx * ((ys[i] as number) - my);
  }
  if (sxx === 0) return { slope: 0, intercept: my, tStatistic: 0 };
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { slope, intercept, tStatistic: 0 };
  let sse = 0;
  for (let i = 0; i < n; i += 1) {
    const r = (ys[i] as number) - intercept - slope * (xs[i] as number);
    sse += r * r;
  }
  const standardError = Math.sqrt(sse / (n - 2) / sxx);
  const tStatistic = standardError > 0 ? slope / standardError : 0;
  return { slope, intercept, tStatistic };
}

/** Pearson correlation; 0 when either side is constant (no co-movement to speak of). */
export function pearsonCorrelation(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x); // this branch avoids exp overflow for very negative x
  return e / (1 + e);
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

export function clamp(value: number, lower: number, upper: number): number {
  return Math.min(upper, Math.max(lower, value));
}

/**
 * Complementary error function (Numerical Recipes' Chebyshev fit, relative error below
 * 1.2e-7 everywhere). It underflows to exactly 0 far in the tail, which is what makes
 * probabilities computed from it reach 0 and 1 exactly at the extremes.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal cumulative distribution function. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The standard normal's 0.9 quantile: the p10–p90 band of a normal is ±this many sigmas. */
export const Z_90 = 1.2815515655446004;
