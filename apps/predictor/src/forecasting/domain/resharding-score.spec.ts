import { describe, expect, it } from 'vitest';
import type { QuantileForecast } from './forecast-model.js';
import { exceedanceByStep, exceedanceProbability, reshardingScore } from './resharding-score.js';

const step = (p10: number, p50: number, p90: number): QuantileForecast => ({ p10, p50, p90 });
const forecast = [step(80, 100, 130), step(90, 120, 170), step(85, 110, 150)];
const scaled = (factor: number): QuantileForecast[] =>
  forecast.map((s) => step(s.p10 * factor, s.p50 * factor, s.p90 * factor));

describe('exceedanceProbability', () => {
  it('reproduces the forecast quantiles', () => {
    const s = step(80, 100, 130);
    expect(exceedanceProbability(s, 100)).toBeCloseTo(0.5, 6);
    expect(exceedanceProbability(s, 130)).toBeCloseTo(0.1, 6);
    expect(exceedanceProbability(s, 80)).toBeCloseTo(0.9, 6);
  });

  it('treats a zero-width side as certain', () => {
    expect(exceedanceProbability(step(100, 100, 100), 99)).toBe(1);
    expect(exceedanceProbability(step(100, 100, 100), 100)).toBe(0);
  });
});

describe('reshardingScore', () => {
  it('rises with the forecast load', () => {
    const scores = [0.5, 0.8, 1, 1.2, 1.5, 2].map((f) => reshardingScore(scaled(f), 150));
    for (let i = 1; i < scores.length; i += 1) expect(scores[i]).toBeGreaterThan(scores[i - 1]!);
  });

  it('rises as capacity falls', () => {
    const scores = [300, 200, 160, 140, 120, 100, 80].map((capacity) => reshardingScore(forecast, capacity));
    for (let i = 1; i < scores.length; i += 1) expect(scores[i]).toBeGreaterThan(scores[i - 1]!);
  });

  it('is 0 far below capacity and 1 far above it', () => {
    expect(reshardingScore(forecast, 10_000)).toBe(0);
    expect(reshardingScore([step(1000, 1010, 1020)], 150)).toBe(1);
    // A wide band keeps some mass below capacity however high it is scaled: certain, but not exactly 1.
    expect(reshardingScore(scaled(100), 150)).toBeGreaterThan(1 - 1e-9);
    expect(reshardingScore([], 150)).toBe(0);
  });

  it('takes the riskiest step when errors move together, and more when they are independent', () => {
    const perStep = exceedanceByStep(forecast, 150);
    expect(reshardingScore(forecast, 150)).toBe(Math.max(...perStep));
    const independent = reshardingScore(forecast, 150, { dependence: 'independent' });
    expect(independent).toBeCloseTo(1 - perStep.reduce((q, p) => q * (1 - p), 1), 12);
    expect(independent).toBeGreaterThan(reshardingScore(forecast, 150));
  });

  it('rejects a non-positive capacity', () => {
    expect(() => reshardingScore(forecast, 0)).toThrow(RangeError);
  });
});
