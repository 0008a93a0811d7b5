import type { RandomSource } from '../../forecasting/domain/index.js';
import { shuffled } from '../../forecasting/domain/index.js';
import type { Calibration } from './calibration.js';
import { calibrate, fitIsotonicCalibration, fitPlattScaling } from './calibration.js';
import type { ConfusionAtThreshold, ReliabilityBin } from './classification-metrics.js';
import {
  expectedCalibrationError,
  precisionRecallAt,
  reliabilityTable,
  rocAuc,
} from './classification-metrics.js';
import type { HealthFeatureOptions } from './health-features.js';
import { extractHealthFeatures, featureVector, HEALTH_FEATURE_NAMES } from './health-features.js';
import type { HealthSample, NodeHealthHistory } from './health-sample.js';
import type { LogisticRegressionModel, LogisticRegressionOptions } from './logistic-regression.js';
import { logisticProbability, trainLogisticRegression } from './logistic-regression.js';

const HOUR_MS = 3_600_000;

export interface FailureExample {
  readonly nodeId: string;
  readonly atMs: number;
  readonly features: readonly number[];
  /** 1 when the node failed within the horizon after atMs. */
  readonly label: 0 | 1;
}

export interface FailureDatasetOptions {
  readonly horizonMs: number;
  /** Time between examples taken from one node (default 1 h). */
  readonly strideMs?: number;
  readonly features?: HealthFeatureOptions;
}

/**
 * Labelled examples from recorded histories: one every `strideMs` per node, labelled 1 when
 * the node failed within (atMs, atMs + horizon]. Nodes that failed contribute nothing after
 * the failure, and nodes still healthy at the end of the record are negatives throughout
 * except their last horizon, whose outcome is not known yet and is left out.
 */
export function buildFailureDataset(
  histories: readonly NodeHealthHistory[],
  options: FailureDatasetOptions,
): FailureExample[] {
  const stride = options.strideMs ?? HOUR_MS;
  const examples: FailureExample[] = [];
  for (const node of histories) {
    const first = node.samples[0];
    const last = node.samples[node.samples.length - 1];
    if (!first || !last) continue;
    const lastKnownOutcome = node.failureAtMs ?? last.atMs - options.horizonMs;
    for (let atMs = first.atMs + stride; atMs <= last.atMs; atMs += stride) {
      if (node.failureAtMs === undefined ? atMs > lastKnownOutcome : atMs >= node.failureAtMs) break;
      const features = extractHealthFeatures(node.samples, atMs, options.features);
      if (!features) continue;
      const failsWithin =
        node.failureAtMs !== undefined &&
        node.failureAtMs > atMs &&
        node.failureAtMs - atMs <= options.horizonMs;
      examples.push({
        nodeId: node.nodeId,
        atMs,
        features: featureVector(features),
        label: failsWithin ? 1 : 0,
      });
    }
  }
  return examples;
}

export interface FailureRiskModel {
  readonly formatVersion: 1;
  readonly horizonMs: number;
  readonly features: HealthFeatureOptions;
  readonly regression: LogisticRegressionModel;
  readonly calibration: Calibration;
}

export interface TrainFailureRiskOptions {
  readonly horizonMs: number;
  readonly features?: HealthFeatureOptions;
  /**
   * Where the calibration's held-out predictions come from (default cross-fit, 5 folds):
   * - holdout: one split; the regression never sees `fraction` of the nodes.
   * - cross-fit: nodes in k folds, each scored by a regression trained on the others; the
   *   served regression is then trained on every node. Every failed node informs the
   *   calibration, which matters because a fleet records few failures.
   */
  readonly validation?:
    | { readonly kind: 'holdout'; readonly fraction: number }
    | { readonly kind: 'cross-fit'; readonly folds: number };
  readonly calibration?: 'platt' | 'isotonic';
  readonly regression?: LogisticRegressionOptions;
  /** Seeded randomness for assigning nodes to splits. */
  readonly random: RandomSource;
}

export interface FailureRiskTraining {
  readonly model: FailureRiskModel;
  /** Measured on held-out predictions, after calibration. */
  readonly holdout: {
    readonly examples: number;
    readonly positives: number;
    readonly auc: number;
    readonly reliability: ReliabilityBin[];
    readonly expectedCalibrationError: number;
    /** Precision and recall of flagging a node at each of HOLDOUT_THRESHOLDS. */
    readonly precisionRecall: ConfusionAtThreshold[];
  };
}

/** Thresholds the held-out precision and recall are reported at. */
export const HOLDOUT_THRESHOLDS: readonly number[] = [0.25, 0.5, 0.75];

/**
 * Trains the classifier and calibrates it on predictions for nodes it was not trained on.
 * Splits are by node, not by example: one node's hourly examples are near copies of each
 * other, so a per-example split would calibrate on examples the regression has in effect
 * seen. Failed and healthy nodes are dealt out separately so every split holds failures.
 */
export function trainFailureRiskModel(
  examples: readonly FailureExample[],
  options: TrainFailureRiskOptions,
): FailureRiskTraining {
  const validation = options.validation ?? { kind: 'cross-fit', folds: 5 };
  const foldOf = assignNodeFolds(examples, validation, options.random);
  const foldCount = validation.kind === 'holdout' ? 1 : validation.folds;
  const fit = (subset: readonly FailureExample[]): LogisticRegressionModel => {
    if (!subset.some((e) => e.label === 1)) {
      throw new RangeError('a training split holds no failure: record more failed nodes');
    }
    return trainLogisticRegression(
      subset.map((e) => e.features),
      subset.map((e) => e.label),
      HEALTH_FEATURE_NAMES,
      options.regression,
    );
  };

  const heldOut: FailureExample[] = [];
  const raw: number[] = [];
  let served: LogisticRegressionModel | undefined;
  for (let fold = 0; fold < foldCount; fold += 1) {
    const inFold = examples.filter((e) => foldOf.get(e.nodeId) === fold);
    const regression = fit(examples.filter((e) => foldOf.get(e.nodeId) !== fold));
    if (validation.kind === 'holdout') served = regression;
    for (const example of inFold) {
      heldOut.push(example);
      raw.push(logisticProbability(regression, example.features));
    }
  }
  const labels = heldOut.map((e) => e.label);
  if (!labels.includes(1))
    throw new RangeError('the held-out nodes hold no failure: record more failed nodes');
  const calibration =
    options.calibration === 'isotonic' ? fitIsotonicCalibration(raw, labels) : fitPlattScaling(raw, labels);
  const calibrated = raw.map((p) => calibrate(calibration, p));
  const reliability = reliabilityTable(calibrated, labels);
  return {
    model: {
      formatVersion: 1,
      horizonMs: options.horizonMs,
      features: options.features ?? {},
      regression: served ?? fit(examples),
      calibration,
    },
    holdout: {
      examples: heldOut.length,
      positives: labels.filter((y) => y === 1).length,
      auc: rocAuc(calibrated, labels),
      reliability,
      expectedCalibrationError: expectedCalibrationError(reliability),
      precisionRecall: HOLDOUT_THRESHOLDS.map((t) => precisionRecallAt(calibrated, labels, t)),
    },
  };
}

/** Node → fold; for a holdout, fold 0 is held out and −1 only trains. */
function assignNodeFolds(
  examples: readonly FailureExample[],
  validation: NonNullable<TrainFailureRiskOptions['validation']>,
  random: RandomSource,
): Map<string, number> {
  const failed = new Set(examples.filter((e) => e.label === 1).map((e) => e.nodeId));
  const nodeIds = [...new Set(examples.map((e) => e.nodeId))].sort();
  const folds = new Map<string, number>();
  for (const group of [nodeIds.filter((id) => failed.has(id)), nodeIds.filter((id) => !failed.has(id))]) {
    shuffled(group, random).forEach((id, i) => {
      if (validation.kind === 'cross-fit') folds.set(id, i % validation.folds);
      else folds.set(id, i < Math.round(group.length * validation.fraction) ? 0 : -1);
    });
  }
  return folds;
}

/** Calibrated probability that the node fails within the model's horizon. */
export function failureProbability(model: FailureRiskModel, features: readonly number[]): number {
  return calibrate(model.calibration, logisticProbability(model.regression, features));
}

/** Scores a node from its recent samples; null when there are too few samples to judge. */
export function assessNode(
  model: FailureRiskModel,
  samples: readonly HealthSample[],
  atMs: number,
): number | null {
  const features = extractHealthFeatures(samples, atMs, model.features);
  return features ? failureProbability(model, featureVector(features)) : null;
}
