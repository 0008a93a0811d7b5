import { describe, expect, it } from 'vitest';
import { DecayedRate, decayFactor, rateFromDecayedCount } from './decayed-rate.js';

const HALF_LIFE_MS = 60_000;

/** Rate right after the n-th of n observations of `count` every `stepMs`: a finite geometric series. */
function rateAfterSteadyObservations(count: number, stepMs: number, n: number, halfLifeMs: number): number {
  const d = 2 ** (-stepMs / halfLifeMs);
  return (((count * (1 - d ** n)) / (1 - d)) * Math.LN2 * 1000) / halfLifeMs;
}

describe('decayFactor and rateFromDecayedCount', () => {
  it('halves per half-life', () => {
    expect(decayFactor(0, 1000)).toBe(1);
    expect(decayFactor(1000, 1000)).toBe(0.5);
    expect(decayFactor(3000, 1000)).toBe(0.125);
  });

  it('turns the steady-state decayed count of λ events/s, λ·h/(1000·ln2), back into λ', () => {
    const lambda = 250;
    expect(rateFromDecayedCount((lambda * HALF_LIFE_MS) / (1000 * Math.LN2), HALF_LIFE_MS)).toBeCloseTo(
      lambda,
      9,
    );
  });
});

describe('DecayedRate', () => {
  it('is zero before any observation', () => {
    expect(new DecayedRate(HALF_LIFE_MS).ratePerSecond(123)).toBe(0);
  });

  it('follows the geometric series for 10 events every second', () => {
    const rate = new DecayedRate(HALF_LIFE_MS);
    for (let i = 0; i < 120; i++) rate.observe(10, i * 1000);
    expect(rate.ratePerSecond(119_000)).toBeCloseTo(
      rateAfterSteadyObservations(10, 1000, 120, HALF_LIFE_MS),
      9,
    );
  });

  it('converges to a constant rate (1 event per ms = 1000/s, within the discretisation of Δ·ln2/2h)', () => {
    const rate = new DecayedRate(1000);
    for (let t = 0; t <= 30_000; t++) rate.observe(1, t);
    expect(rate.ratePerSecond(30_000)).toBeCloseTo(rateAfterSteadyObservations(1, 1, 30_001, 1000), 6);
    // The limit right after an observation is λ · (Δ·ln2/h) / (1 − 2^(−Δ/h)) = λ · 1.000347 for Δ = 1 ms.
    const limit = (1000 * (Math.LN2 / 1000)) / (1 - 2 ** (-1 / 1000));
    expect(rate.ratePerSecond(30_000)).toBeCloseTo(limit, 5);
    expect(Math.abs(rate.ratePerSecond(30_000) - 1000)).toBeLessThan(0.35);
  });

  it('averages exactly the true rate over one period in steady state', () => {
    const rate = new DecayedRate(HALF_LIFE_MS);
    for (let i = 0; i <= 3000; i++) rate.observe(10, i * 1000);
    // Mean of r(t) over [t, t + Δ) after the last observation: midpoint rule over 1000 slices.
    let sum = 0;
    for (let slice = 0; slice < 1000; slice++) sum += rate.ratePerSecond(3_000_000 + slice + 0.5);
    expect(sum / 1000).toBeCloseTo(10, 4);
  });

  it('halves one half-life after the input stops, and quarters after two', () => {
    const rate = new DecayedRate(HALF_LIFE_MS);
    for (let i = 0; i < 600; i++) rate.observe(40, i * 1000);
    const last = 599_000;
    const atStop = rate.ratePerSecond(last);
    expect(rate.ratePerSecond(last + HALF_LIFE_MS)).toBeCloseTo(atStop / 2, 9);
    expect(rate.ratePerSecond(last + 2 * HALF_LIFE_MS)).toBeCloseTo(atStop / 4, 9);
  });

  it('adds an out-of-order observation decayed to the latest observation time', () => {
    const rate = new DecayedRate(1000);
    rate.observe(10, 1000);
    rate.observe(5, 0);
    expect(rate.lastObservedMs).toBe(1000);
    expect(rate.decayedCountAt(1000)).toBe(12.5);
    expect(rate.decayedCountAt(2000)).toBe(6.25);
  });

  it('gives the same estimate whatever order the observations arrive in', () => {
    const observations: [number, number][] = [
      [3, 0],
      [7, 450],
      [1, 1200],
      [4, 1900],
      [9, 2600],
    ];
    const inOrder = new DecayedRate(1000);
    for (const [count, at] of observations) inOrder.observe(count, at);
    const shuffled = new DecayedRate(1000);
    for (const index of [3, 0, 4, 2, 1]) shuffled.observe(...observations[index]!);
    const expected = observations.reduce((sum, [count, at]) => sum + count * 2 ** (-(5000 - at) / 1000), 0);
    expect(inOrder.decayedCountAt(5000)).toBeCloseTo(expected, 12);
    expect(shuffled.decayedCountAt(5000)).toBeCloseTo(expected, 12);
  });

  it('never grows when read at a time before its latest observation', () => {
    const rate = new DecayedRate(1000);
    rate.observe(8, 5000);
    expect(rate.decayedCountAt(1000)).toBe(8);
  });

  it('adds two streams as if they were one', () => {
    const a = new DecayedRate(1000);
    const b = new DecayedRate(1000);
    const both = new DecayedRate(1000);
    for (const [count, at, target] of [
      [4, 0, a],
      [6, 500, b],
      [2, 1500, a],
      [1, 3000, b],
    ] as const) {
      target.observe(count, at);
      both.observe(count, at);
    }
    const sum = a.plus(b);
    expect(sum.lastObservedMs).toBe(3000);
    expect(sum.decayedCountAt(4000)).toBeCloseTo(both.decayedCountAt(4000), 12);
  });

  it('scales its history by a share', () => {
    const rate = new DecayedRate(1000);
    rate.observe(100, 0);
    const quarter = rate.scaled(0.25);
    expect(quarter.decayedCountAt(1000)).toBe(12.5);
    expect(rate.decayedCountAt(1000)).toBe(50);
  });

  it('rejects a bad half-life, a negative count and sums over different half-lives', () => {
    expect(() => new DecayedRate(0)).toThrow(RangeError);
    expect(() => new DecayedRate(Number.NaN)).toThrow(RangeError);
    expect(() => new DecayedRate(1000).observe(-1, 0)).toThrow(RangeError);
    expect(() => new DecayedRate(1000).plus(new DecayedRate(2000))).toThrow(RangeError);
  });

  it('survives a JSON round trip of its state', () => {
    const rate = new DecayedRate(1000);
    rate.observe(3, 100);
    rate.observe(4, 900);
    const restored = DecayedRate.fromState(JSON.parse(JSON.stringify(rate.toState())));
    expect(restored.toState()).toEqual(rate.toState());
    restored.observe(5, 1900);
    rate.observe(5, 1900);
    expect(restored.decayedCountAt(2500)).toBe(rate.decayedCountAt(2500));
  });

  it('refuses corrupt state', () => {
    expect(() => DecayedRate.fromState({ halfLifeMs: 1000, decayedCount: Number.NaN, lastMs: 0 })).toThrow(
      TypeError,
    );
    expect(() => DecayedRate.fromState({ halfLifeMs: 1000, decayedCount: -1, lastMs: 0 })).toThrow(
      RangeError,
    );
  });
});
