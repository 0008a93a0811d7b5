import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32, sigmoid } from '../../forecasting/domain/index.js';
import { logisticProbability, trainLogisticRegression } from './logistic-regression.js';

/** y ~ Bernoulli(σ(2x₁ − 1)) with x₁ ~ N(3, 2²); x₂ is noise, x₃ constant. */
function dataset(n: number, seed: number): { x: number[][]; y: (0 | 1)[] } {
  const random = mulberry32(seed);
  const x: number[][] = [];
  const y: (0 | 1)[] = [];
  for (let i = 0; i < n; i += 1) {
    const x1 = 3 + 2 * gaussian(random);
    x.push([x1, gaussian(random), 7]);
    y.push(random() < sigmoid(2 * (x1 - 3) - 1) ? 1 : 0);
  }
  return { x, y };
}

describe('trainLogisticRegression', () => {
  const { x, y } = dataset(4000, 1);
  const model = trainLogisticRegression(x, y, ['signal', 'noise', 'constant'], { l2: 1e-4 });

  it('recovers the generating probabilities', () => {
    for (const x1 of [1, 2.5, 3, 3.5, 5]) {
      expect(logisticProbability(model, [x1, 0, 7])).toBeCloseTo(sigmoid(2 * (x1 - 3) - 1), 1);
    }
  });

  it('gives noise a small weight and a constant feature none', () => {
    expect(Math.abs(model.weights[1]!)).toBeLessThan(0.1 * Math.abs(model.weights[0]!));
    expect(Math.abs(model.weights[2]!)).toBeLessThan(1e-9);
    expect(model.scales[2]).toBe(1);
  });

  it('shrinks weights as the L2 penalty grows', () => {
    const strong = trainLogisticRegression(x, y, ['signal', 'noise', 'constant'], { l2: 1 });
    expect(Math.abs(strong.weights[0]!)).toBeLessThan(0.6 * Math.abs(model.weights[0]!));
  });

  it('converges before the iteration budget on a well-posed problem', () => {
    expect(model.iterations).toBeLessThan(2000);
  });

  it('survives a JSON round trip', () => {
    const restored = JSON.parse(JSON.stringify(model));
    expect(logisticProbability(restored, [4, 0.3, 7])).toBe(logisticProbability(model, [4, 0.3, 7]));
  });

  it('rejects malformed input', () => {
    expect(() => trainLogisticRegression([[1]], [1, 0], ['a'])).toThrow(RangeError);
    expect(() => trainLogisticRegression([[1, 2]], [1], ['a'])).toThrow(RangeError);
    expect(() => logisticProbability(model, [1])).toThrow(RangeError);
  });
});
