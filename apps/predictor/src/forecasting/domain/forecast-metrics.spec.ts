import { describe, expect, it } from 'vitest';
import {
  averageMetrics,
  bandCoverage,
  evaluateForecast,
  meanAbsoluteScaledError,
  pinballLoss,
  seasonalNaiveScale,
  symmetricMape,
} from './forecast-metrics.js';

// Hand-worked example used throughout:
// training [1, 2, 3, 4, 6], season 2 → seasonal-naive errors |3−1|, |4−2|, |6−3| = 2, 2, 3 → scale 7/3
// actual [10, 20, 30], p50 [11, 18, 33] → absolute errors 1, 2, 3 → MAE 2
const training = [1, 2, 3, 4, 6];
const actual = [10, 20, 30];
const p50 = [11, 18, 33];

describe('forecast metrics', () => {
  it('scales MASE by the in-sample seasonal-naive MAE', () => {
    expect(seasonalNaiveScale(training, 2)).toBeCloseTo(7 / 3, 12);
    expect(meanAbsoluteScaledError(actual, p50, training, 2)).toBeCloseTo(2 / (7 / 3), 12);
  });

  it('falls back to a one-step naive scale when training is not longer than a season', () => {
    // |2−1|, |3−2|, |4−3|, |6−4| → 5/4
    expect(seasonalNaiveScale(training, 5)).toBeCloseTo(5 / 4, 12);
  });

  it('gives an infinite MASE on a flat training series unless the forecast is exact', () => {
    expect(meanAbsoluteScaledError([5, 5], [5, 6], [5, 5, 5], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(meanAbsoluteScaledError([5, 5], [5, 5], [5, 5, 5], 1)).toBe(0);
  });

  it('computes sMAPE in percent, counting 0/0 steps as perfect', () => {
    const expected = (200 * (1 / 21) + 200 * (2 / 38) + 200 * (3 / 63)) / 3; // 9.85798…
    expect(symmetricMape(actual, p50)).toBeCloseTo(expected, 10);
    expect(symmetricMape(actual, p50)).toBeCloseTo(9.85798, 4);
    expect(symmetricMape([0, 10], [0, 10])).toBe(0);
  });

  it('computes the pinball loss for each quantile level', () => {
    // tau 0.9: y<q costs 0.1·(q−y), y>q costs 0.9·(y−q): 0.1·1 + 0.9·2 + 0.1·3 = 2.2 → mean 0.7333
    expect(pinballLoss(actual, p50, 0.9)).toBeCloseTo(2.2 / 3, 12);
    // tau 0.1: 0.9·1 + 0.1·2 + 0.9·3 = 3.8 → mean 1.2667
    expect(pinballLoss(actual, p50, 0.1)).toBeCloseTo(3.8 / 3, 12);
    // tau 0.5 is half the MAE
    expect(pinballLoss(actual, p50, 0.5)).toBeCloseTo(1, 12);
  });

  it('measures how often the actual falls inside the p10–p90 band', () => {
    const forecast = [
      { p10: 8, p50: 11, p90: 12 }, // 10 inside
      { p10: 15, p50: 18, p90: 19 }, // 20 above
      { p10: 25, p50: 33, p90: 40 }, // 30 inside
    ];
    expect(bandCoverage(actual, forecast)).toBeCloseTo(2 / 3, 12);

    const metrics = evaluateForecast(actual, forecast, training, 2);
    expect(metrics.mase).toBeCloseTo(6 / 7, 12);
    expect(metrics.coverage).toBeCloseTo(2 / 3, 12);
    // p10 [8, 15, 25] at tau 0.1: 0.1·(2 + 5 + 5) = 1.2 → 0.4
    expect(metrics.pinball.p10).toBeCloseTo(0.4, 12);
    // p90 [12, 19, 40] at tau 0.9: 0.1·2 + 0.9·1 + 0.1·10 = 2.1 → 0.7
    expect(metrics.pinball.p90).toBeCloseTo(0.7, 12);
    expect(metrics.pinball.mean).toBeCloseTo((0.4 + 1 + 0.7) / 3, 12);
  });

  it('averages metrics over folds', () => {
    const a = evaluateForecast([10], [{ p10: 9, p50: 10, p90: 11 }], [1, 2], 1);
    const b = evaluateForecast([10], [{ p10: 11, p50: 12, p90: 13 }], [1, 2], 1);
    const avg = averageMetrics([a, b]);
    expect(avg.mase).toBeCloseTo((0 + 2) / 2, 12);
    expect(avg.coverage).toBeCloseTo(0.5, 12);
  });

  it('rejects forecasts of the wrong length', () => {
    expect(() => symmetricMape([1, 2], [1])).toThrow(RangeError);
    expect(() => pinballLoss([], [], 0.5)).toThrow(RangeError);
  });
});
