import { describe, expect, it } from 'vitest';
import { minimiseNelderMead } from './nelder-mead.js';
import { gaussian, mulberry32, poisson, shuffled } from './seeded-random.js';
import {
  linearFit,
  mean,
  median,
  medianAbsoluteDeviation,
  normalCdf,
  pearsonCorrelation,
  quantile,
  standardDeviation,
} from './statistics.js';

describe('statistics', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(median([])).toBeNaN();
    expect(medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });

  it('fits a line with its t-statistic', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit).toMatchObject({ slope: 2, intercept: 1, tStatistic: 0 }); // exact fit: no residual to test against
    const noisy = linearFit([0, 1, 2, 3, 4], [1, 3.1, 4.9, 7.2, 8.8]);
    expect(noisy.slope).toBeCloseTo(19.7 / 10, 12); // Sxy / Sxx
    expect(noisy.tStatistic).toBeGreaterThan(20);
  });

  it('correlates co-moving series and treats constants as uncorrelated', () => {
    expect(pearsonCorrelation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearsonCorrelation([1, 2, 3], [5, 5, 5])).toBe(0);
  });

  it('computes the normal CDF to within 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.2815515655446004)).toBeCloseTo(0.9, 7);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 7);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});

describe('seeded randomness', () => {
  it('replays a sequence from its seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 5 }, () => a());
    expect(draws).toEqual(Array.from({ length: 5 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws normal and Poisson variates with the right moments', () => {
    const random = mulberry32(1);
    const normals = Array.from({ length: 20_000 }, () => gaussian(random));
    expect(mean(normals)).toBeCloseTo(0, 1);
    expect(standardDeviation(normals)).toBeCloseTo(1, 1);
    const counts = Array.from({ length: 20_000 }, () => poisson(random, 3));
    expect(mean(counts)).toBeCloseTo(3, 1);
    expect(poisson(random, 0)).toBe(0);
  });

  it('shuffles a copy', () => {
    const items = [1, 2, 3, 4, 5, 6];
    const result = shuffled(items, mulberry32(3));
    expect(result).not.toEqual(items);
    expect([...result].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('minimiseNelderMead', () => {
  it('finds the minimum of a badly scaled quadratic', () => {
    const result = minimiseNelderMead((p) => (p[0]! - 3) ** 2 + 100 * (p[1]! + 1) ** 2 + 5, [0, 0]);
    expect(result.point[0]).toBeCloseTo(3, 3);
    expect(result.point[1]).toBeCloseTo(-1, 3);
    expect(result.value).toBeCloseTo(5, 6);
  });

  it('treats a non-finite objective as worse than anything', () => {
    const result = minimiseNelderMead((p) => (p[0]! < 0 ? Number.NaN : (p[0]! - 1) ** 2), [2]);
    expect(result.point[0]).toBeCloseTo(1, 3);
  });

  it('stops at its evaluation budget', () => {
    expect(
      minimiseNelderMead((p) => p[0]! ** 2, [100], { maxEvaluations: 10 }).evaluations,
    ).toBeLessThanOrEqual(12);
  });
});
