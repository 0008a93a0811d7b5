import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../forecasting/domain/index.js';
import { selectTfjsBackend } from '../forecasting/lstm/tfjs-backend.js';
import type { FailureExample } from './domain/index.js';
import {
  buildFailureDataset,
  expectedCalibrationError,
  generateFleet,
  precisionRecallAt,
  reliabilityTable,
  rocAuc,
} from './domain/index.js';
import { loadFailureClassifier, trainFailureClassifier } from './failure-classifier.catalog.js';
import type { FailureNetworkArchitecture, TfjsFailureRiskTraining } from './tfjs-failure-classifier.js';
import {
  DEFAULT_FAILURE_NETWORK_TRAINING,
  FailureNetwork,
  TfjsFailureClassifier,
  trainTfjsFailureRiskModel,
} from './tfjs-failure-classifier.js';

const HOUR_MS = 3_600_000;
const horizonMs = 6 * HOUR_MS;
const fleet = { startMs: Date.UTC(2024, 0, 1), intervalMs: 10 * 60_000, durationMs: 48 * HOUR_MS };

// The fleets, split and tolerances of the plain classifier's spec (domain/failure-classifier.spec.ts),
// so the two are held to the same standard.
const trainingExamples = buildFailureDataset(
  generateFleet({ ...fleet, healthy: 100, degrading: 100, seed: 1 }),
  { horizonMs },
);
const testExamples = buildFailureDataset(generateFleet({ ...fleet, healthy: 60, degrading: 60, seed: 2 }), {
  horizonMs,
});
const testLabels = testExamples.map((e) => e.label);
const testFeatures = testExamples.map((e) => e.features);

const architectures: Record<string, FailureNetworkArchitecture> = {
  'failure-tfjs-logistic': { kind: 'logistic' },
  'failure-tfjs-mlp': { kind: 'mlp', hidden: 16 },
};

describe.each(Object.entries(architectures))('%s', (name, architecture) => {
  let trained: TfjsFailureRiskTraining;
  let classifier: TfjsFailureClassifier;
  let probabilities: number[];
  const loop = { ticks: 0, longestGapMs: 0 };

  beforeAll(async () => {
    await selectTfjsBackend('auto');
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      loop.ticks += 1;
      loop.longestGapMs = Math.max(loop.longestGapMs, now - last);
      last = now;
    }, 5);
    try {
      trained = await trainTfjsFailureRiskModel(trainingExamples, {
        name,
        horizonMs,
        architecture,
        random: mulberry32(7),
        validation: { kind: 'holdout', fraction: 0.3 },
      });
    } finally {
      clearInterval(timer);
    }
    classifier = TfjsFailureClassifier.load(trained.model);
    probabilities = classifier.probabilities(testFeatures);
  });

  afterAll(() => classifier.dispose());

  it('separates degrading nodes from healthy ones on an independent fleet', () => {
    expect(rocAuc(probabilities, testLabels)).toBeGreaterThan(0.97);
    const atHalf = precisionRecallAt(probabilities, testLabels, 0.5);
    expect(atHalf.precision).toBeGreaterThan(0.75);
    expect(atHalf.recall).toBeGreaterThan(0.65);
  });

  it('reports precision and recall on its held-out nodes at each reporting threshold', () => {
    expect(trained.holdout.precisionRecall.map((c) => c.threshold)).toEqual([0.25, 0.5, 0.75]);
    const [low, , high] = trained.holdout.precisionRecall;
    expect(high!.recall).toBeLessThanOrEqual(low!.recall);
    expect(trained.holdout.precisionRecall[1]!.precision).toBeGreaterThan(0.7);
    expect(trained.holdout.auc).toBeGreaterThan(0.97);
  });

  it('gives calibrated probabilities that match observed failure rates', () => {
    const table = reliabilityTable(probabilities, testLabels, 5);
    expect(expectedCalibrationError(table)).toBeLessThan(0.03);
    // Bins with enough examples to measure a rate on; node-level clustering makes smaller ones noisy.
    const wellPopulated = table.filter((bin) => bin.count >= 150);
    expect(wellPopulated.length).toBeGreaterThanOrEqual(2);
    for (const bin of wellPopulated)
      expect(Math.abs(bin.meanPredicted - bin.observedRate)).toBeLessThan(0.06);
    expect(trained.holdout.expectedCalibrationError).toBeLessThan(0.03);
  });

  it('gives the same probabilities after a save and reload through JSON', () => {
    const restored = TfjsFailureClassifier.load(JSON.parse(JSON.stringify(trained.model)));
    try {
      expect(restored.name).toBe(name);
      expect(restored.probabilities(testFeatures)).toEqual(probabilities);
    } finally {
      restored.dispose();
    }
  });

  it('keeps the event loop turning while it trains: it yields after every batch', () => {
    expect(loop.ticks).toBeGreaterThanOrEqual(10);
    expect(loop.longestGapMs).toBeLessThan(500);
  });
});

describe('FailureNetwork', () => {
  const small: FailureExample[] = trainingExamples.filter((e) => Number(e.nodeId.slice(5)) % 4 === 0);

  it('stops after the current batch when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    await expect(
      FailureNetwork.train(small, { kind: 'logistic' }, DEFAULT_FAILURE_NETWORK_TRAINING, controller.signal),
    ).rejects.toThrow('stopping');
  });

  it('refuses weights saved for another architecture', async () => {
    const network = await FailureNetwork.train(
      small,
      { kind: 'logistic' },
      {
        ...DEFAULT_FAILURE_NETWORK_TRAINING,
        epochs: 1,
      },
    );
    const saved = network.save();
    network.dispose();
    expect(() => FailureNetwork.load({ ...saved, architecture: { kind: 'mlp', hidden: 4 } })).toThrow(
      /weight tensors/,
    );
  });
});

describe('trainFailureClassifier', () => {
  // A smaller fleet: these tests are about the choice, not the quality.
  const examples = buildFailureDataset(generateFleet({ ...fleet, healthy: 30, degrading: 30, seed: 5 }), {
    horizonMs,
  });
  const common = { horizonMs, validation: { kind: 'holdout', fraction: 0.3 } as const, seed: 3 };

  it('with auto, trains every classifier on the same nodes and serves tfjs when it is at least as good', async () => {
    const trained = await trainFailureClassifier(examples, {
      ...common,
      choice: 'auto',
      tfjsAvailable: true,
    });
    const { candidates, classifier } = trained.report;
    expect(Object.keys(candidates).sort()).toEqual([
      'failure-logistic',
      'failure-tfjs-logistic',
      'failure-tfjs-mlp',
    ]);
    const brier = (n: string): number =>
      (candidates[n] as { holdout: { brierScore: number } }).holdout.brierScore;
    const examplesOf = (n: string): number =>
      (candidates[n] as { holdout: { examples: number } }).holdout.examples;
    expect(examplesOf('failure-tfjs-logistic')).toBe(examplesOf('failure-logistic'));
    const bestTfjs = Math.min(brier('failure-tfjs-logistic'), brier('failure-tfjs-mlp'));
    if (bestTfjs <= brier('failure-logistic') * 1.01) expect(classifier).toMatch(/^failure-tfjs-/);
    else expect(classifier).toBe('failure-logistic');
    expect(trained.report.holdout).toEqual((candidates[classifier] as { holdout: unknown }).holdout);

    const served = loadFailureClassifier(JSON.parse(JSON.stringify(trained.model)), true);
    if ('unavailable' in served) throw new Error(served.unavailable);
    try {
      expect(served.name).toBe(classifier);
      const p = served.probabilities(testFeatures.slice(0, 50));
      expect(p.every((x) => x > 0 && x < 1)).toBe(true);
    } finally {
      served.dispose();
    }
  });

  it('serves the plain regression when configured so, or when no tfjs backend runs', async () => {
    const plain = await trainFailureClassifier(examples, {
      ...common,
      choice: 'logistic',
      tfjsAvailable: true,
    });
    expect(plain.report.classifier).toBe('failure-logistic');
    expect(Object.keys(plain.report.candidates)).toEqual(['failure-logistic']);

    const noBackend = await trainFailureClassifier(examples, {
      ...common,
      choice: 'tfjs-mlp',
      tfjsAvailable: false,
    });
    expect(noBackend.report.classifier).toBe('failure-logistic');
    expect(noBackend.report.candidates['failure-tfjs-mlp']).toEqual({ skipped: 'no TensorFlow.js backend' });
    expect(loadFailureClassifier(noBackend.model, false)).toHaveProperty('name', 'failure-logistic');
  });
});
