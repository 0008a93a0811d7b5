import { describe, expect, it } from 'vitest';
import { logit, mulberry32, sigmoid } from '../../forecasting/domain/index.js';
import { calibrate, fitIsotonicCalibration, fitPlattScaling } from './calibration.js';

describe('Platt scaling', () => {
  it('undoes an overconfident classifier', () => {
    // True probability p; the classifier reports σ(2·logit(p) + 1): too sure, and biased up.
    const random = mulberry32(11);
    const truth: number[] = [];
    const raw: number[] = [];
    const labels: (0 | 1)[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const p = 0.02 + 0.96 * random();
      truth.push(p);
      raw.push(sigmoid(2 * logit(p) + 1));
      labels.push(random() < p ? 1 : 0);
    }
    const calibration = fitPlattScaling(raw, labels);
    expect(calibration).toMatchObject({
      kind: 'platt',
      a: expect.closeTo(0.5, 1),
      b: expect.closeTo(-0.5, 1),
    });
    for (const p of [0.1, 0.3, 0.5, 0.8]) {
      expect(calibrate(calibration, sigmoid(2 * logit(p) + 1))).toBeCloseTo(p, 1);
    }
  });

  it('stays inside (0, 1) when the classes separate perfectly', () => {
    const calibration = fitPlattScaling([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(calibrate(calibration, 0.99)).toBeLessThan(1);
    expect(calibrate(calibration, 0.01)).toBeGreaterThan(0);
  });
});

describe('isotonic calibration', () => {
  it('pools adjacent violators into a non-decreasing step function', () => {
    // Scores 0.1…0.4 with labels 0, 1, 0, 1: the middle pair violates order and pools to 0.5.
    const calibration = fitIsotonicCalibration([0.3, 0.1, 0.4, 0.2], [0, 0, 1, 1]);
    expect(calibration).toEqual({ kind: 'isotonic', thresholds: [0.1, 0.3, 0.4], values: [0, 0.5, 1] });
    expect(calibrate(calibration, 0.05)).toBe(0);
    expect(calibrate(calibration, 0.25)).toBe(0.5);
    expect(calibrate(calibration, 0.9)).toBe(1);
  });
});

describe('calibrate', () => {
  it('passes probabilities through unchanged with the identity', () => {
    expect(calibrate({ kind: 'identity' }, 0.37)).toBe(0.37);
  });
});
