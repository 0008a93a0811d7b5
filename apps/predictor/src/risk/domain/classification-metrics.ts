export interface ConfusionAtThreshold {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  /** TP / (TP + FP); 1 when nothing was flagged (no false alarm was raised). */
  readonly precision: number;
  /** TP / (TP + FN); 1 when there was nothing to find. */
  readonly recall: number;
}

/** Flags examples with probability ≥ threshold. */
export function precisionRecallAt(
  probabilities: readonly number[],
  labels: readonly (0 | 1)[],
  threshold: number,
): ConfusionAtThreshold {
  assertPairs(probabilities, labels);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  probabilities.forEach((p, i) => {
    const flagged = p >= threshold;
    if (labels[i] === 1) {
      if (flagged) tp += 1;
      else fn += 1;
    } else if (flagged) fp += 1;
    else tn += 1;
  });
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative (ties count half), via the rank-sum (Mann-Whitney) statistic. NaN without both classes.
 */
export function rocAuc(probabilities: readonly number[], labels: readonly (0 | 1)[]): number {
  assertPairs(probabilities, labels);
  const order = probabilities.map((p, i) => ({ p, y: labels[i] as number })).sort((a, b) => a.p - b.p);
  let rankSumPositives = 0;
  let positives = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && (order[j] as { p: number }).p === (order[i] as { p: number }).p) j += 1;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k += 1) {
      if ((order[k] as { y: number }).y === 1) {
        rankSumPositives += averageRank;
        positives += 1;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface ReliabilityBin {
  /** Bin covers predicted probabilities in [lower, upper) (the last bin includes 1). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** NaN for an empty bin. */
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/** Equal-width bins of predicted probability: does "30 %" happen 30 % of the time? */
export function reliabilityTable(
  probabilities: readonly number[],
  labels: readonly (0 | 1)[],
  bins = 10,
): ReliabilityBin[] {
  assertPairs(probabilities, labels);
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  probabilities.forEach((p, i) => {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(p * bins)))] as (typeof sums)[number];
    bin.count += 1;
    bin.predicted += p;
    bin.observed += labels[i] as number;
  });
  return sums.map((bin, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: bin.count,
    meanPredicted: bin.count > 0 ? bin.predicted / bin.count : Number.NaN,
    observedRate: bin.count > 0 ? bin.observed / bin.count : Number.NaN,
  }));
}

/** Count-weighted mean |predicted − observed| over the table's bins. */
export function expectedCalibrationError(table: readonly ReliabilityBin[]): number {
  const total = table.reduce((acc, bin) => acc + bin.count, 0);
  if (total === 0) return Number.NaN;
  return table.reduce(
    (acc, bin) =>
      bin.count > 0 ? acc + (bin.count / total) * Math.abs(bin.meanPredicted - bin.observedRate) : acc,
    0,
  );
}

/**
 * Mean squared difference between predicted probability and outcome: a proper scoring rule,
 * so it rewards separating the classes and being calibrated at once (lower is better).
 */
export function brierScore(probabilities: readonly number[], labels: readonly (0 | 1)[]): number {
  assertPairs(probabilities, labels);
  if (probabilities.length === 0) return Number.NaN;
  return (
    probabilities.reduce((acc, p, i) => acc + (p - (labels[i] as number)) ** 2, 0) / probabilities.length
  );
}

function assertPairs(probabilities: readonly number[], labels: readonly (0 | 1)[]): void {
  if (probabilities.length !== labels.length) throw new RangeError('one label per probability expected');
}
