import type { RandomSource } from '../../forecasting/domain/index.js';
import { shuffled } from '../../forecasting/domain/index.js';
import type { Calibration } from './calibration.js';
import { calibrate, fitIsotonicCalibration, fitPlattScaling } from './calibration.js';
import type { ConfusionAtThreshold, ReliabilityBin } from './classification-metrics.js';
import {
  brierScore,
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

/** Where held-out predictions come from and how they are calibrated, whatever the classifier. */
export interface FailureCalibrationOptions {
  /**
   * Where the calibration's held-out predictions come from (default cross-fit, 5 folds):
   * - holdout: one split; the classifier never sees `fraction` of the nodes.
   * - cross-fit: nodes in k folds, each scored by a classifier trained on the others; the
   *   served classifier is then trained on every node. Every failed node informs the
   *   calibration, which matters because a fleet records few failures.
   */
  readonly validation?:
    | { readonly kind: 'holdout'; readonly fraction: number }
    | { readonly kind: 'cross-fit'; readonly folds: number };
  readonly calibration?: 'platt' | 'isotonic';
  /** Seeded randomness for assigning nodes to splits. */
  readonly random: RandomSource;
}

export interface TrainFailureRiskOptions extends FailureCalibrationOptions {
  readonly horizonMs: number;
  readonly features?: HealthFeatureOptions;
  readonly regression?: LogisticRegressionOptions;
}

/** A classifier measured on held-out predictions, after calibration. */
export interface FailureHoldout {
  readonly examples: number;
  readonly positives: number;
  readonly auc: number;
  /** Mean squared error of the calibrated probabilities: what classifiers are compared by. */
  readonly brierScore: number;
  readonly reliability: ReliabilityBin[];
  readonly expectedCalibrationError: number;
  /** Precision and recall of flagging a node at each of HOLDOUT_THRESHOLDS. */
  readonly precisionRecall: ConfusionAtThreshold[];
}

export interface FailureRiskTraining {
  readonly model: FailureRiskModel;
  readonly holdout: FailureHoldout;
}

/** Thresholds the held-out precision and recall are reported at. */
export const HOLDOUT_THRESHOLDS: readonly number[] = [0.25, 0.5, 0.75];

/**
 * Trains the plain logistic regression and calibrates it on predictions for nodes it was
 * not trained on. Splits are by node, not by example: one node's hourly examples are near
 * copies of each other, so a per-example split would calibrate on examples the regression
 * has in effect seen. Failed and healthy nodes are dealt out separately so every split
 * holds failures.
 */
export function trainFailureRiskModel(
  examples: readonly FailureExample[],
  options: TrainFailureRiskOptions,
): FailureRiskTraining {
  const fit = (subset: readonly FailureExample[]): LogisticRegressionModel =>
    trainLogisticRegression(
      requireFailures(subset).map((e) => e.features),
      subset.map((e) => e.label),
      HEALTH_FEATURE_NAMES,
      options.regression,
    );
  const { splits, servesSplit } = nodeSplits(examples, options);
  const heldOut: FailureExample[] = [];
  const raw: number[] = [];
  let served: LogisticRegressionModel | undefined;
  for (const split of splits) {
    const regression = fit(split.train);
    if (servesSplit) served = regression;
    heldOut.push(...split.heldOut);
    raw.push(...split.heldOut.map((e) => logisticProbability(regression, e.features)));
  }
  const { calibration, holdout } = calibrateHeldOut(heldOut, raw, options.calibration);
  return {
    model: {
      formatVersion: 1,
      horizonMs: options.horizonMs,
      features: options.features ?? {},
      regression: served ?? fit(examples),
      calibration,
    },
    holdout,
  };
}

/** Scores health feature vectors with an uncalibrated probability of failure. */
export interface FailureScorer {
  rawProbabilities(rows: readonly (readonly number[])[]): number[];
}

/**
 * How one kind of classifier is trained on a subset of the examples. Asynchronous so that a
 * driver whose training takes a while can yield to the event loop as it goes.
 */
export interface FailureLearner<S extends FailureScorer> {
  fit(examples: readonly FailureExample[]): Promise<S>;
  /** Frees a scorer that only scored a held-out split (a network holds backend memory). */
  release?(scorer: S): void;
}

export interface CalibratedFailureScorer<S extends FailureScorer> {
  readonly scorer: S;
  readonly calibration: Calibration;
  readonly holdout: FailureHoldout;
}

/**
 * trainFailureRiskModel's procedure for any learner: the same node splits (the same
 * `random` gives every learner the same ones, so their held-out figures compare like for
 * like), calibration and held-out metrics.
 */
export async function trainCalibratedFailureScorer<S extends FailureScorer>(
  examples: readonly FailureExample[],
  learner: FailureLearner<S>,
  options: FailureCalibrationOptions,
): Promise<CalibratedFailureScorer<S>> {
  const { splits, servesSplit } = nodeSplits(examples, options);
  const heldOut: FailureExample[] = [];
  const raw: number[] = [];
  let served: S | undefined;
  for (const split of splits) {
    const scorer = await learner.fit(requireFailures(split.train));
    try {
      heldOut.push(...split.heldOut);
      raw.push(...scorer.rawProbabilities(split.heldOut.map((e) => e.features)));
    } finally {
      if (servesSplit) served = scorer;
      else learner.release?.(scorer);
    }
  }
  try {
    const { calibration, holdout } = calibrateHeldOut(heldOut, raw, options.calibration);
    served ??= await learner.fit(requireFailures(examples));
    return { scorer: served, calibration, holdout };
  } catch (error) {
    if (served) learner.release?.(served);
    throw error;
  }
}

/** The plain logistic regression as a learner, for training it alongside other classifiers. */
export function logisticRegressionLearner(
  options: LogisticRegressionOptions = {},
): FailureLearner<FailureScorer & { readonly regression: LogisticRegressionModel }> {
  return {
    fit: (subset) => {
      const regression = trainLogisticRegression(
        subset.map((e) => e.features),
        subset.map((e) => e.label),
        HEALTH_FEATURE_NAMES,
        options,
      );
      return Promise.resolve({
        regression,
        rawProbabilities: (rows) => rows.map((row) => logisticProbability(regression, row)),
      });
    },
  };
}

function requireFailures(subset: readonly FailureExample[]): readonly FailureExample[] {
  if (!subset.some((e) => e.label === 1)) {
    throw new RangeError('a training split holds no failure: record more failed nodes');
  }
  return subset;
}

/** The examples to train on and to score, per split; `servesSplit` when a holdout's classifier is the one served. */
function nodeSplits(
  examples: readonly FailureExample[],
  options: FailureCalibrationOptions,
): {
  splits: { train: FailureExample[]; heldOut: FailureExample[] }[];
  servesSplit: boolean;
} {
  const validation = options.validation ?? { kind: 'cross-fit', folds: 5 };
  const foldOf = assignNodeFolds(examples, validation, options.random);
  const foldCount = validation.kind === 'holdout' ? 1 : validation.folds;
  return {
    splits: Array.from({ length: foldCount }, (_, fold) => ({
      train: examples.filter((e) => foldOf.get(e.nodeId) !== fold),
      heldOut: examples.filter((e) => foldOf.get(e.nodeId) === fold),
    })),
    servesSplit: validation.kind === 'holdout',
  };
}

/** Fits the calibration on held-out raw probabilities and measures the calibrated ones. */
function calibrateHeldOut(
  heldOut: readonly FailureExample[],
  raw: readonly number[],
  kind: FailureCalibrationOptions['calibration'],
): { calibration: Calibration; holdout: FailureHoldout } {
  const labels = heldOut.map((e) => e.label);
  if (!labels.includes(1))
    throw new RangeError('the held-out nodes hold no failure: record more failed nodes');
  const calibration =
    kind === 'isotonic' ? fitIsotonicCalibration(raw, labels) : fitPlattScaling(raw, labels);
  const calibrated = raw.map((p) => calibrate(calibration, p));
  const reliability = reliabilityTable(calibrated, labels);
  return {
    calibration,
    holdout: {
      examples: heldOut.length,
      positives: labels.filter((y) => y === 1).length,
      auc: rocAuc(calibrated, labels),
      brierScore: brierScore(calibrated, labels),
      reliability,
      expectedCalibrationError: expectedCalibrationError(reliability),
      precisionRecall: HOLDOUT_THRESHOLDS.map((t) => precisionRecallAt(calibrated, labels, t)),
    },
  };
}

/** Node → fold; for a holdout, fold 0 is held out and −1 only trains. */
function assignNodeFolds(
  examples: readonly FailureExample[],
  validation: NonNullable<FailureCalibrationOptions['validation']>,
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

/**
 * Which failure classifier a retrain serves: `auto` trains them all and serves the best
 * tfjs one when it is at least as good on held-out nodes as the plain regression (else the
 * plain one); the others train and serve that one alone.
 */
export const FAILURE_CLASSIFIER_CHOICES = ['auto', 'logistic', 'tfjs-logistic', 'tfjs-mlp'] as const;
export type FailureClassifierChoice = (typeof FAILURE_CLASSIFIER_CHOICES)[number];

/** The name node-risk events and model versions give the plain logistic regression. */
export const LOGISTIC_FAILURE_CLASSIFIER = 'failure-logistic';

/** A trained, calibrated classifier as the risk pass uses it, whatever trained it. */
export interface FailureClassifier {
  /** Named in node-risk events (`model.name`) and in the model version's report. */
  readonly name: string;
  readonly horizonMs: number;
  readonly features: HealthFeatureOptions;
  /** Calibrated probabilities of failing within the horizon, one per feature vector. */
  probabilities(rows: readonly (readonly number[])[]): number[];
}

export function logisticFailureClassifier(model: FailureRiskModel): FailureClassifier {
  return {
    name: LOGISTIC_FAILURE_CLASSIFIER,
    horizonMs: model.horizonMs,
    features: model.features,
    probabilities: (rows) => rows.map((row) => failureProbability(model, row)),
  };
}

/** Scores a node from its recent samples; null when there are too few samples to judge. */
export function assessNode(
  model: FailureRiskModel | FailureClassifier,
  samples: readonly HealthSample[],
  atMs: number,
): number | null {
  const classifier = 'regression' in model ? logisticFailureClassifier(model) : model;
  const features = extractHealthFeatures(samples, atMs, classifier.features);
  return features ? (classifier.probabilities([featureVector(features)])[0] ?? null) : null;
}

/** A candidate classifier's held-out figures, as compared when choosing the one that serves. */
export interface FailureCandidate {
  readonly name: string;
  readonly holdout: FailureHoldout;
}

/**
 * Relative slack on the Brier score within which a preferred classifier counts as at least as
 * good: two fits of the same model (float32 against float64, Adam against Nesterov) land a
 * hair apart, and that hair should not decide which serves.
 */
export const CLASSIFIER_TIE_TOLERANCE = 0.01;

/**
 * The classifier to serve: the best preferred candidate (lowest held-out Brier score) when it
 * is at least as good as the baseline, else the baseline. The Brier score is proper, so
 * neither sharper ranking nor better calibration alone wins it.
 */
export function chooseFailureClassifier(
  baseline: FailureCandidate,
  preferred: readonly FailureCandidate[],
  tolerance = CLASSIFIER_TIE_TOLERANCE,
): FailureCandidate {
  const best = [...preferred]
    .filter((c) => Number.isFinite(c.holdout.brierScore))
    .sort((a, b) => a.holdout.brierScore - b.holdout.brierScore)[0];
  if (!best) return baseline;
  return best.holdout.brierScore <= baseline.holdout.brierScore * (1 + tolerance) ? best : baseline;
}
