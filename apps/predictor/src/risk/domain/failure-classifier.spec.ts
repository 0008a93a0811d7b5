import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../forecasting/domain/index.js';
import { calibrate } from './calibration.js';
import {
  expectedCalibrationError,
  precisionRecallAt,
  reliabilityTable,
  rocAuc,
} from './classification-metrics.js';
import type { FailureCandidate } from './failure-classifier.js';
import {
  assessNode,
  buildFailureDataset,
  chooseFailureClassifier,
  failureProbability,
  trainFailureRiskModel,
} from './failure-classifier.js';
import type { NodeHealthHistory } from './health-sample.js';
import { logisticProbability } from './logistic-regression.js';
import { generateFleet, generateNodeHealth } from './synthetic-health.js';

const HOUR_MS = 3_600_000;
const horizonMs = 6 * HOUR_MS;
const fleet = { startMs: Date.UTC(2024, 0, 1), intervalMs: 10 * 60_000, durationMs: 48 * HOUR_MS };

// Degrading disks fail 12–24 h after their symptoms start, with severities from mild to
// severe; the test fleet is generated independently of the training fleet.
const trainingFleet = generateFleet({ ...fleet, healthy: 100, degrading: 100, seed: 1 });
const testFleet = generateFleet({ ...fleet, healthy: 60, degrading: 60, seed: 2 });
const trainingExamples = buildFailureDataset(trainingFleet, { horizonMs });
const testExamples = buildFailureDataset(testFleet, { horizonMs });
const testLabels = testExamples.map((e) => e.label);
const trained = trainFailureRiskModel(trainingExamples, {
  horizonMs,
  random: mulberry32(7),
  validation: { kind: 'holdout', fraction: 0.3 },
});
const testProbabilities = testExamples.map((e) => failureProbability(trained.model, e.features));

describe('buildFailureDataset', () => {
  const failing = generateNodeHealth({
    nodeId: 'n1',
    startMs: 0,
    intervalMs: 10 * 60_000,
    endMs: 30 * HOUR_MS,
    seed: 1,
    degradation: { kind: 'disk', onsetMs: 4 * HOUR_MS, failureAtMs: 20 * HOUR_MS },
  });
  const healthy: NodeHealthHistory = {
    ...generateNodeHealth({
      nodeId: 'n2',
      startMs: 0,
      intervalMs: 10 * 60_000,
      endMs: 30 * HOUR_MS,
      seed: 2,
    }),
  };

  it('labels the horizon before a failure positive and stops at the failure', () => {
    const examples = buildFailureDataset([failing], { horizonMs });
    const positives = examples.filter((e) => e.label === 1).map((e) => e.atMs / HOUR_MS);
    expect(positives).toEqual([14, 15, 16, 17, 18, 19]);
    expect(Math.max(...examples.map((e) => e.atMs))).toBe(19 * HOUR_MS);
  });

  it('leaves out the last horizon of a node whose outcome is not known yet', () => {
    const examples = buildFailureDataset([healthy], { horizonMs });
    expect(examples.every((e) => e.label === 0)).toBe(true);
    // the last sample is at 29:50, so outcomes are known up to 23:50
    expect(Math.max(...examples.map((e) => e.atMs))).toBe(23 * HOUR_MS);
  });
});

describe('trainFailureRiskModel', () => {
  it('separates degrading nodes from healthy ones on an independent fleet', () => {
    expect(testLabels.filter((y) => y === 1).length).toBeGreaterThan(200);
    expect(rocAuc(testProbabilities, testLabels)).toBeGreaterThan(0.97);
    const atHalf = precisionRecallAt(testProbabilities, testLabels, 0.5);
    expect(atHalf.precision).toBeGreaterThan(0.75);
    expect(atHalf.recall).toBeGreaterThan(0.65);
  });

  it('reports precision and recall on its held-out nodes at each reporting threshold', () => {
    expect(trained.holdout.precisionRecall.map((c) => c.threshold)).toEqual([0.25, 0.5, 0.75]);
    const [low, , high] = trained.holdout.precisionRecall;
    // A higher threshold flags fewer nodes: recall cannot rise.
    expect(high!.recall).toBeLessThanOrEqual(low!.recall);
    expect(trained.holdout.precisionRecall[1]!.precision).toBeGreaterThan(0.7);
  });

  it('gives calibrated probabilities that match observed failure rates', () => {
    const table = reliabilityTable(testProbabilities, testLabels, 5);
    expect(expectedCalibrationError(table)).toBeLessThan(0.03);
    // Bins with enough examples to measure a rate on; node-level clustering makes smaller ones noisy.
    const wellPopulated = table.filter((bin) => bin.count >= 150);
    expect(wellPopulated.length).toBeGreaterThanOrEqual(2);
    for (const bin of wellPopulated)
      expect(Math.abs(bin.meanPredicted - bin.observedRate)).toBeLessThan(0.06);
    expect(trained.holdout.expectedCalibrationError).toBeLessThan(0.03);
  });

  it('needs the calibration when training over-weights failures', () => {
    const weighted = trainFailureRiskModel(trainingExamples, {
      horizonMs,
      random: mulberry32(7),
      validation: { kind: 'holdout', fraction: 0.3 },
      regression: { positiveWeight: 10 },
    });
    const raw = testExamples.map((e) => logisticProbability(weighted.model.regression, e.features));
    const calibrated = raw.map((p) => calibrate(weighted.model.calibration, p));
    const rawError = expectedCalibrationError(reliabilityTable(raw, testLabels, 5));
    const calibratedError = expectedCalibrationError(reliabilityTable(calibrated, testLabels, 5));
    expect(rawError).toBeGreaterThan(0.04);
    expect(calibratedError).toBeLessThan(rawError / 2);
  });

  it('scores a node from its samples: high shortly before a failure, low when healthy', () => {
    const degrading = testFleet.find((n) => n.failureAtMs !== undefined && n.nodeId === 'node-100')!;
    const healthy = testFleet[0]!;
    expect(assessNode(trained.model, degrading.samples, degrading.failureAtMs! - HOUR_MS)).toBeGreaterThan(
      0.5,
    );
    expect(assessNode(trained.model, healthy.samples, fleet.startMs + 40 * HOUR_MS)).toBeLessThan(0.05);
    expect(assessNode(trained.model, healthy.samples, fleet.startMs - HOUR_MS)).toBeNull();
  });

  it('cross-fits the calibration over node folds', () => {
    const crossFitted = trainFailureRiskModel(
      trainingExamples.filter((e) => Number(e.nodeId.slice(5)) % 2 === 0),
      {
        horizonMs,
        random: mulberry32(3),
        validation: { kind: 'cross-fit', folds: 3 },
      },
    );
    expect(crossFitted.holdout.examples).toBe(
      trainingExamples.filter((e) => Number(e.nodeId.slice(5)) % 2 === 0).length,
    );
    const probabilities = testExamples.map((e) => failureProbability(crossFitted.model, e.features));
    expect(rocAuc(probabilities, testLabels)).toBeGreaterThan(0.97);
    expect(expectedCalibrationError(reliabilityTable(probabilities, testLabels, 5))).toBeLessThan(0.03);
  });

  it('survives a JSON round trip', () => {
    const restored = JSON.parse(JSON.stringify(trained.model));
    const features = testExamples[5]!.features;
    expect(failureProbability(restored, features)).toBe(failureProbability(trained.model, features));
  });

  it('refuses to train without recorded failures', () => {
    const healthyOnly = trainingExamples.filter((e) => e.label === 0);
    expect(() => trainFailureRiskModel(healthyOnly, { horizonMs, random: mulberry32(1) })).toThrow(/failure/);
  });
});

describe('chooseFailureClassifier', () => {
  const candidate = (name: string, brierScore: number): FailureCandidate => ({
    name,
    holdout: { ...trained.holdout, brierScore },
  });
  const plain = candidate('failure-logistic', 0.02);

  it('serves the best preferred candidate when it is at least as good as the baseline', () => {
    const chosen = chooseFailureClassifier(plain, [candidate('a', 0.0201), candidate('b', 0.019)]);
    expect(chosen.name).toBe('b');
    // Within the tie tolerance counts as at least as good.
    expect(chooseFailureClassifier(plain, [candidate('a', 0.02 * 1.005)]).name).toBe('a');
  });

  it('keeps the baseline when every preferred candidate is worse, or there is none', () => {
    expect(chooseFailureClassifier(plain, [candidate('a', 0.025)]).name).toBe('failure-logistic');
    expect(chooseFailureClassifier(plain, [candidate('a', Number.NaN)]).name).toBe('failure-logistic');
    expect(chooseFailureClassifier(plain, []).name).toBe('failure-logistic');
  });
});
