import { finiteNumber, nonNegativeNumber, timeOrNull } from './state-fields.js';

const MS_PER_SECOND = 1000;

export function assertHalfLife(halfLifeMs: number): void {
  if (!(Number.isFinite(halfLifeMs) && halfLifeMs > 0)) {
    throw new RangeError(`half-life must be a positive number of milliseconds, got ${halfLifeMs}`);
  }
}

/** `2^(−elapsed/h)`: the share of an observation's weight left after `elapsedMs`. */
export function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  return 2 ** (-elapsedMs / halfLifeMs);
}

/** Decayed count → events per second: `A · ln2 / h`, with h in ms and the result per second. */
export function rateFromDecayedCount(decayedCount: number, halfLifeMs: number): number {
  return (decayedCount * Math.LN2 * MS_PER_SECOND) / halfLifeMs;
}

export interface DecayedRateState {
  halfLifeMs: number;
  decayedCount: number;
  lastMs: number | null;
}

/**
 * Exponentially time-decayed event rate (a continuous-time EWMA).
 *
 * With half-life `h` (ms), observations of `cᵢ` events at times `tᵢ` (ms) give the decayed count
 *
 *     A(t) = Σᵢ cᵢ · 2^(−(t − tᵢ)/h)
 *
 * and the rate estimate, in events per second,
 *
 *     r(t) = A(t) · ln2 / h · 1000
 *
 * A constant rate of λ events per second adds up to `∫₀^∞ (λ/1000) · 2^(−s/h) ds = λ·h/(1000·ln2)`,
 * so `r` converges to λ; once input stops, `r` halves every `h`. Only `A` at the latest observation
 * time is kept: a later observation first decays `A` by `2^(−Δt/h)` and then adds its count; an
 * earlier one (out of order) is added already decayed by `2^(−(last − t)/h)`, so the estimate does not
 * depend on the order in which observations arrive.
 */
export class DecayedRate {
  private decayedCount = 0;
  private lastMs: number | null = null;

  constructor(readonly halfLifeMs: number) {
    assertHalfLife(halfLifeMs);
  }

  static fromState(state: DecayedRateState): DecayedRate {
    const rate = new DecayedRate(finiteNumber(state.halfLifeMs, 'halfLifeMs'));
    rate.decayedCount = nonNegativeNumber(state.decayedCount, 'decayedCount');
    rate.lastMs = timeOrNull(state.lastMs, 'lastMs');
    return rate;
  }

  /** Time of the latest observation, or null before the first. */
  get lastObservedMs(): number | null {
    return this.lastMs;
  }

  observe(count: number, atMs: number): void {
    nonNegativeNumber(count, 'count');
    finiteNumber(atMs, 'atMs');
    if (this.lastMs === null || atMs >= this.lastMs) {
      this.decayedCount = this.decayedCountAt(atMs) + count;
      this.lastMs = atMs;
    } else {
      this.decayedCount += count * decayFactor(this.lastMs - atMs, this.halfLifeMs);
    }
  }

  /** `A(now)`. A time before the latest observation reads as that observation's time: never decays backwards. */
  decayedCountAt(nowMs: number): number {
    if (this.lastMs === null) return 0;
    return this.decayedCount * decayFactor(Math.max(0, nowMs - this.lastMs), this.halfLifeMs);
  }

  ratePerSecond(nowMs: number): number {
    return rateFromDecayedCount(this.decayedCountAt(nowMs), this.halfLifeMs);
  }

  /** A copy carrying `factor` of this history, e.g. one side's share when a shard splits. */
  scaled(factor: number): DecayedRate {
    nonNegativeNumber(factor, 'factor');
    const copy = DecayedRate.fromState(this.toState());
    copy.decayedCount *= factor;
    return copy;
  }

  /** The combined history of two streams, as if every observation had gone to one. */
  plus(other: DecayedRate): DecayedRate {
    if (other.halfLifeMs !== this.halfLifeMs) {
      throw new RangeError(`cannot add rates with half-lives ${this.halfLifeMs} and ${other.halfLifeMs}`);
    }
    const sum = new DecayedRate(this.halfLifeMs);
    const times = [this.lastMs, other.lastMs].filter((t): t is number => t !== null);
    if (times.length === 0) return sum;
    const atMs = Math.max(...times);
    sum.decayedCount = this.decayedCountAt(atMs) + other.decayedCountAt(atMs);
    sum.lastMs = atMs;
    return sum;
  }

  toState(): DecayedRateState {
    return { halfLifeMs: this.halfLifeMs, decayedCount: this.decayedCount, lastMs: this.lastMs };
  }
}
