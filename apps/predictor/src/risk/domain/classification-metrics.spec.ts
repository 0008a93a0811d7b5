import { describe, expect, it } from 'vitest';
import {
  brierScore,
  expectedCalibrationError,
  precisionRecallAt,
  reliabilityTable,
  rocAuc,
} from './classification-metrics.js';

const probabilities = [0.1, 0.4, 0.35, 0.8];
const labels: (0 | 1)[] = [0, 0, 1, 1];

describe('rocAuc', () => {
  it('is the share of positive/negative pairs ranked correctly', () => {
    // positives 0.35, 0.8 vs negatives 0.1, 0.4: 0.35 > 0.1, 0.35 < 0.4, 0.8 > both → 3/4
    expect(rocAuc(probabilities, labels)).toBe(0.75);
  });

  it('counts ties as half and needs both classes', () => {
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(rocAuc([0.2, 0.3], [1, 1])).toBeNaN();
  });
});

describe('precisionRecallAt', () => {
  it('flags probabilities at or above the threshold', () => {
    expect(precisionRecallAt(probabilities, labels, 0.4)).toEqual({
      threshold: 0.4,
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 1,
      trueNegatives: 1,
      precision: 0.5,
      recall: 0.5,
    });
    expect(precisionRecallAt(probabilities, labels, 0.3)).toMatchObject({ precision: 2 / 3, recall: 1 });
  });
});

describe('reliabilityTable', () => {
  it('bins predictions and compares them with what happened', () => {
    const table = reliabilityTable([0.1, 0.2, 0.3, 0.7, 0.9, 1], [0, 0, 1, 1, 1, 1], 2);
    expect(table).toEqual([
      { lower: 0, upper: 0.5, count: 3, meanPredicted: expect.closeTo(0.2, 12), observedRate: 1 / 3 },
      { lower: 0.5, upper: 1, count: 3, meanPredicted: expect.closeTo(2.6 / 3, 12), observedRate: 1 },
    ]);
    // ECE: ½·|0.2 − ⅓| + ½·|0.8667 − 1| = ½·0.1333 + ½·0.1333
    expect(expectedCalibrationError(table)).toBeCloseTo(2 / 15, 12);
  });

  it('reports empty bins as NaN and leaves them out of the ECE', () => {
    const table = reliabilityTable([0.05, 0.06], [0, 0], 4);
    expect(table[2]?.meanPredicted).toBeNaN();
    expect(expectedCalibrationError(table)).toBeCloseTo(0.055, 12);
  });
});

describe('brierScore', () => {
  it('is the mean squared gap between probability and outcome', () => {
    expect(brierScore([1, 0, 0.5, 0.8], [1, 0, 1, 0])).toBeCloseTo((0 + 0 + 0.25 + 0.64) / 4, 12);
  });
});
