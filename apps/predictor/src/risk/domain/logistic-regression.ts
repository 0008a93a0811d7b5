import { sigmoid } from '../../forecasting/domain/index.js';

export interface LogisticRegressionOptions {
  /** L2 penalty on the (standardised) weights, not the bias (default 0.01). */
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop when the gradient's largest component falls below this (default 1e-5). */
  readonly tolerance?: number;
  /** Weight of positive examples in the loss (default 1); calibration undoes any bias it adds. */
  readonly positiveWeight?: number;
}

/** A fitted model: plain data, so it serialises to JSON as is. */
export interface LogisticRegressionModel {
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  /** Standard deviations used to standardise; 1 for constant features. */
  readonly scales: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
  readonly iterations: number;
}

/**
 * Logistic regression by batch gradient descent (with Nesterov momentum) on standardised
 * features, minimising the mean (weighted) log loss + (l2/2)·‖w‖². Standardising makes one
 * step size fit every feature and makes the penalty treat them alike. The step is 1/L, with
 * L the gradient's Lipschitz bound ¼·λmax(XᵀX/n) + l2 from power iteration, which
 * guarantees convergence without tuning a learning rate.
 */
export function trainLogisticRegression(
  features: readonly (readonly number[])[],
  labels: readonly (0 | 1)[],
  featureNames: readonly string[],
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const n = features.length;
  const d = featureNames.length;
  if (n === 0 || labels.length !== n)
    throw new RangeError('need one label per example and at least one example');
  if (features.some((row) => row.length !== d)) throw new RangeError(`every example needs ${d} features`);
  const l2 = options.l2 ?? 0.01;
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-5;
  const positiveWeight = options.positiveWeight ?? 1;

  const { means, scales } = fitFeatureScaling(features, d);
  const x = features.map((row) => standardiseFeatures(row, means, scales));
  const exampleWeights = labels.map((y) => (y === 1 ? positiveWeight : 1));
  const totalWeight = exampleWeights.reduce((a, b) => a + b, 0);

  const step = 1 / (0.25 * Math.max(...exampleWeights) * largestEigenvalue(x, d) + l2 + 1e-12);
  const positives = labels.reduce<number>((a, y) => a + y * positiveWeight, 0);
  // Parameters: d weights then the bias, started at the weighted base rate's log-odds
  // (most of the way there for rare failures).
  let theta = [
    ...new Array<number>(d).fill(0),
    Math.log((positives + 0.5) / (totalWeight - positives + 0.5)),
  ];
  let lookahead = [...theta];
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations += 1;
    const gradient = lossGradient(x, labels, exampleWeights, totalWeight, lookahead, l2);
    const next = lookahead.map((v, j) => v - step * (gradient[j] as number));
    // Nesterov momentum: plain batch descent crawls along the valleys correlated health
    // features make; the look-ahead step converges in far fewer passes over the data.
    const momentum = (iterations - 1) / (iterations + 2);
    lookahead = next.map((v, j) => v + momentum * (v - (theta[j] as number)));
    theta = next;
    if (gradient.reduce((largest, g) => Math.max(largest, Math.abs(g)), 0) < tolerance) break;
  }
  return {
    featureNames: [...featureNames],
    means,
    scales,
    weights: theta.slice(0, d),
    bias: theta[d] as number,
    iterations,
  };
}

/** Per-feature means and standard deviations (1 for a constant feature) over the examples. */
export function fitFeatureScaling(
  features: readonly (readonly number[])[],
  d: number,
): { means: number[]; scales: number[] } {
  const n = features.length;
  const means = new Array<number>(d).fill(0);
  const scales = new Array<number>(d).fill(0);
  for (const row of features)
    for (let j = 0; j < d; j += 1) means[j] = (means[j] as number) + (row[j] as number) / n;
  for (const row of features) {
    for (let j = 0; j < d; j += 1)
      scales[j] = (scales[j] as number) + ((row[j] as number) - (means[j] as number)) ** 2 / n;
  }
  for (let j = 0; j < d; j += 1) {
    const sd = Math.sqrt(scales[j] as number);
    scales[j] = sd > 1e-12 ? sd : 1;
  }
  return { means, scales };
}

/** (x − mean) / scale, feature by feature. */
export function standardiseFeatures(
  row: readonly number[],
  means: readonly number[],
  scales: readonly number[],
): number[] {
  return row.map((v, j) => (v - (means[j] as number)) / (scales[j] as number));
}

/** Gradient of the weighted mean log loss + (l2/2)·‖w‖² at theta = [w…, bias]. */
function lossGradient(
  x: readonly (readonly number[])[],
  labels: readonly (0 | 1)[],
  exampleWeights: readonly number[],
  totalWeight: number,
  theta: readonly number[],
  l2: number,
): number[] {
  const d = theta.length - 1;
  const gradient = new Array<number>(d + 1).fill(0);
  const bias = theta[d] as number;
  for (let i = 0; i < x.length; i += 1) {
    const row = x[i] as readonly number[];
    let z = bias;
    for (let j = 0; j < d; j += 1) z += (theta[j] as number) * (row[j] as number);
    const error = ((exampleWeights[i] as number) * (sigmoid(z) - (labels[i] as number))) / totalWeight;
    for (let j = 0; j < d; j += 1) gradient[j] = (gradient[j] as number) + error * (row[j] as number);
    gradient[d] = (gradient[d] as number) + error;
  }
  for (let j = 0; j < d; j += 1) gradient[j] = (gradient[j] as number) + l2 * (theta[j] as number);
  return gradient;
}

/** Uncalibrated probability of the positive class. */
export function logisticProbability(model: LogisticRegressionModel, features: readonly number[]): number {
  if (features.length !== model.weights.length) {
    throw new RangeError(`expected ${model.weights.length} features, got ${features.length}`);
  }
  let z = model.bias;
  model.weights.forEach((w, j) => {
    z += (w * ((features[j] as number) - (model.means[j] as number))) / (model.scales[j] as number);
  });
  return sigmoid(z);
}

/** λmax of XᵀX/n (intercept column included) by power iteration; an upper bound after scaling by 1.05. */
function largestEigenvalue(x: readonly (readonly number[])[], d: number): number {
  const n = x.length;
  const size = d + 1;
  const gram = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const row of x) {
    const r = [...row, 1];
    for (let a = 0; a < size; a += 1) {
      const ra = r[a] as number;
      const target = gram[a] as number[];
      for (let b = 0; b < size; b += 1) target[b] = (target[b] as number) + (ra * (r[b] as number)) / n;
    }
  }
  let vector = new Array<number>(size).fill(1 / Math.sqrt(size));
  let eigenvalue = 0;
  for (let k = 0; k < 100; k += 1) {
    const next = gram.map((row) => row.reduce((acc, g, b) => acc + g * (vector[b] as number), 0));
    const norm = Math.hypot(...next);
    if (norm === 0) return 0;
    vector = next.map((v) => v / norm);
    if (Math.abs(norm - eigenvalue) < 1e-9 * norm) {
      eigenvalue = norm;
      break;
    }
    eigenvalue = norm;
  }
  // Power iteration approaches λmax from below; the margin keeps the step safely under 2/L.
  return eigenvalue * 1.05;
}
