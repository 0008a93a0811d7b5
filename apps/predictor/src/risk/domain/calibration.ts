import { clamp, logit, sigmoid } from '../../forecasting/domain/index.js';

/** A map from a classifier's raw probability to a calibrated one; plain data for storage. */
export type Calibration =
  | { readonly kind: 'identity' }
  /** p' = σ(a·logit(p) + b) */
  | { readonly kind: 'platt'; readonly a: number; readonly b: number }
  /** Step function: scores up to thresholds[i] map to values[i] (non-decreasing). */
  | { readonly kind: 'isotonic'; readonly thresholds: readonly number[]; readonly values: readonly number[] };

const EPSILON = 1e-12;

/**
 * Platt scaling on the raw probability's log-odds, fitted by Newton's method on a held-out
 * split. Uses Platt's smoothed targets ((N₊+1)/(N₊+2) and 1/(N₋+2)) so that with the few
 * failures a fleet records the map does not run to 0 or 1. Two parameters: the default
 * choice, since isotonic regression needs many positives per step to be stable.
 */
export function fitPlattScaling(probabilities: readonly number[], labels: readonly (0 | 1)[]): Calibration {
  assertPairs(probabilities, labels);
  const positives = labels.filter((y) => y === 1).length;
  const negatives = labels.length - positives;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  const scores = probabilities.map((p) => logit(clamp(p, EPSILON, 1 - EPSILON)));
  const targets = labels.map((y) => (y === 1 ? high : low));
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < 100; iteration += 1) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9; // a tiny ridge keeps the 2×2 Hessian invertible when scores are all equal
    let hab = 0;
    let hbb = 1e-9;
    scores.forEach((s, i) => {
      const p = sigmoid(a * s + b);
      const residual = p - (targets[i] as number);
      const w = p * (1 - p);
      ga += residual * s;
      gb += residual;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    });
    const determinant = haa * hbb - hab * hab;
    if (!(determinant > 0)) break;
    const da = (hbb * ga - hab * gb) / determinant;
    const db = (haa * gb - hab * ga) / determinant;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { kind: 'platt', a, b };
}

/**
 * Isotonic calibration: the non-decreasing step function closest in squared error to the
 * labels (pool-adjacent-violators). No shape assumed, but it needs enough held-out
 * positives to be smooth.
 */
export function fitIsotonicCalibration(
  probabilities: readonly number[],
  labels: readonly (0 | 1)[],
): Calibration {
  assertPairs(probabilities, labels);
  const order = probabilities.map((p, i) => ({ p, y: labels[i] as number })).sort((u, v) => u.p - v.p);
  const blocks: { sum: number; count: number; upper: number }[] = [];
  for (const { p, y } of order) {
    blocks.push({ sum: y, count: 1, upper: p });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as { sum: number; count: number; upper: number };
      const previous = blocks[blocks.length - 2] as { sum: number; count: number; upper: number };
      if (previous.sum / previous.count <= last.sum / last.count) break;
      blocks.splice(blocks.length - 2, 2, {
        sum: previous.sum + last.sum,
        count: previous.count + last.count,
        upper: last.upper,
      });
    }
  }
  return {
    kind: 'isotonic',
    thresholds: blocks.map((block) => block.upper),
    values: blocks.map((block) => block.sum / block.count),
  };
}

export function calibrate(calibration: Calibration, probability: number): number {
  switch (calibration.kind) {
    case 'identity':
      return probability;
    case 'platt':
      return sigmoid(calibration.a * logit(clamp(probability, EPSILON, 1 - EPSILON)) + calibration.b);
    case 'isotonic': {
      const { thresholds, values } = calibration;
      let lo = 0;
      let hi = thresholds.length - 1;
      if (hi < 0) return probability;
      // First block whose upper score reaches the probability; beyond the last, the last value.
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((thresholds[mid] as number) >= probability) hi = mid;
        else lo = mid + 1;
      }
      return values[lo] as number;
    }
    default: {
      const unknown: never = calibration;
      throw new Error(`unknown calibration ${JSON.stringify(unknown)}`);
    }
  }
}

function assertPairs(probabilities: readonly number[], labels: readonly (0 | 1)[]): void {
  if (probabilities.length !== labels.length) throw new RangeError('one label per probability expected');
  if (probabilities.length === 0) throw new RangeError('nothing to calibrate on');
}
