import { assertHalfLife, decayFactor } from './decayed-rate.js';
import {
  assertHashRange,
  containsHash,
  hashFromState,
  hashToState,
  isInteriorPoint,
  type HashRange,
} from './hash-range.js';
import { arrayOf, finiteNumber, nonNegativeNumber, positiveInteger, timeOrNull } from './state-fields.js';

export const DEFAULT_BUCKET_COUNT = 64;

export interface HashHistogramOptions {
  bucketCount: number;
  halfLifeMs: number;
}

export interface HashBucket {
  lo: bigint;
  hi: bigint;
  weight: number;
}

export interface HashHistogramState {
  lo: string;
  hi: string;
  halfLifeMs: number;
  lastMs: number | null;
  weights: number[];
}

// Bucket i of n over [lo, hi) is [lo + ⌈i·W/n⌉, lo + ⌈(i+1)·W/n⌉) with W = hi − lo, which is exactly
// the set of hashes h with ⌊(h − lo)·n/W⌋ = i, so bucketOf and bucketBound always agree.
function bucketIndex(range: HashRange, bucketCount: number, hash: bigint): number {
  return Number(((hash - range.lo) * BigInt(bucketCount)) / (range.hi - range.lo));
}

function bucketBound(range: HashRange, bucketCount: number, index: number): bigint {
  const n = BigInt(bucketCount);
  return range.lo + (BigInt(index) * (range.hi - range.lo) + n - 1n) / n;
}

/** `width · fraction` for a fraction in [0, 1], in 2⁻³² steps: a float cannot hold a 64-bit hash exactly. */
function scaleWidth(width: bigint, fraction: number): bigint {
  const clamped = Math.min(1, Math.max(0, fraction));
  return (width * BigInt(Math.round(clamped * 2 ** 32))) >> 32n;
}

/** Spreads source buckets over `bucketCount` buckets of `range`, assuming load is uniform inside each source bucket. */
function rebin(sources: readonly HashBucket[], range: HashRange, bucketCount: number): number[] {
  const weights = new Array<number>(bucketCount).fill(0);
  for (const source of sources) {
    const from = source.lo > range.lo ? source.lo : range.lo;
    const to = source.hi < range.hi ? source.hi : range.hi;
    if (source.weight === 0 || from >= to) continue;
    const sourceWidth = Number(source.hi - source.lo);
    const last = bucketIndex(range, bucketCount, to - 1n);
    for (let index = bucketIndex(range, bucketCount, from); index <= last; index++) {
      const lo = bucketBound(range, bucketCount, index);
      const hi = bucketBound(range, bucketCount, index + 1);
      const overlapLo = lo > from ? lo : from;
      const overlapHi = hi < to ? hi : to;
      if (overlapLo < overlapHi) {
        weights[index] =
          (weights[index] ?? 0) + (source.weight * Number(overlapHi - overlapLo)) / sourceWidth;
      }
    }
  }
  return weights;
}

/**
 * Time-decayed load per hash bucket of one shard: a fixed number of equal-width buckets over the
 * shard's `[lo, hi)`, every bucket decaying with the same half-life as the shard's rates. It exists to
 * find where to split a shard so that both halves carry the same load, and it follows the shard through
 * splits and merges (re-binning proportionally) so that history is divided or combined, never dropped.
 */
export class HashHistogram {
  readonly range: HashRange;
  readonly halfLifeMs: number;
  private weights: number[];
  private lastMs: number | null = null;

  constructor(range: HashRange, options: HashHistogramOptions) {
    assertHashRange(range);
    assertHalfLife(options.halfLifeMs);
    positiveInteger(options.bucketCount, 'bucketCount');
    this.range = { lo: range.lo, hi: range.hi };
    this.halfLifeMs = options.halfLifeMs;
    this.weights = new Array<number>(options.bucketCount).fill(0);
  }

  static fromState(state: HashHistogramState): HashHistogram {
    const weights = arrayOf(state.weights, 'weights').map((w, i) => nonNegativeNumber(w, `weights[${i}]`));
    const histogram = new HashHistogram(
      { lo: hashFromState(state.lo, 'lo'), hi: hashFromState(state.hi, 'hi') },
      { bucketCount: weights.length, halfLifeMs: finiteNumber(state.halfLifeMs, 'halfLifeMs') },
    );
    histogram.weights = weights;
    histogram.lastMs = timeOrNull(state.lastMs, 'lastMs');
    return histogram;
  }

  /**
   * Combines the histograms of two adjacent shards (`a.hi === b.lo`) into one over `[a.lo, b.hi)`
   * with `a`'s bucket count; the total weight is kept.
   */
  static mergeAdjacent(a: HashHistogram, b: HashHistogram): HashHistogram {
    if (a.range.hi !== b.range.lo) {
      throw new RangeError(
        `histograms over [${a.range.lo}, ${a.range.hi}) and [${b.range.lo}, ${b.range.hi}) are not adjacent`,
      );
    }
    if (a.halfLifeMs !== b.halfLifeMs)
      throw new RangeError('cannot merge histograms with different half-lives');
    const merged = new HashHistogram(
      { lo: a.range.lo, hi: b.range.hi },
      { bucketCount: a.bucketCount, halfLifeMs: a.halfLifeMs },
    );
    const times = [a.lastMs, b.lastMs].filter((t): t is number => t !== null);
    if (times.length === 0) return merged;
    const atMs = Math.max(...times);
    merged.weights = rebin([...a.bucketsAt(atMs), ...b.bucketsAt(atMs)], merged.range, merged.bucketCount);
    merged.lastMs = atMs;
    return merged;
  }

  /**
   * This histogram plus `part`, whose range lies inside this one (history handed over by a retired
   * shard): `part`'s buckets are re-binned once onto this one's, both decayed to the later clock.
   */
  static absorb(base: HashHistogram, part: HashHistogram): HashHistogram {
    if (part.range.lo < base.range.lo || part.range.hi > base.range.hi) {
      throw new RangeError(
        `[${part.range.lo}, ${part.range.hi}) is not inside [${base.range.lo}, ${base.range.hi})`,
      );
    }
    if (base.halfLifeMs !== part.halfLifeMs)
      throw new RangeError('cannot add histograms with different half-lives');
    const result = new HashHistogram(base.range, {
      bucketCount: base.bucketCount,
      halfLifeMs: base.halfLifeMs,
    });
    const times = [base.lastMs, part.lastMs].filter((t): t is number => t !== null);
    if (times.length === 0) return result;
    const atMs = Math.max(...times);
    const added = rebin(part.bucketsAt(atMs), base.range, base.bucketCount);
    result.weights = base.bucketsAt(atMs).map((bucket, index) => bucket.weight + (added[index] ?? 0));
    result.lastMs = atMs;
    return result;
  }

  get bucketCount(): number {
    return this.weights.length;
  }

  bucketOf(hash: bigint): number {
    if (!containsHash(this.range, hash))
      throw new RangeError(`hash ${hash} is outside [${this.range.lo}, ${this.range.hi})`);
    return bucketIndex(this.range, this.bucketCount, hash);
  }

  /** Adds `weight` at `hash`; returns false, and records nothing, when the hash is outside the shard. */
  add(hash: bigint, weight: number, atMs: number): boolean {
    nonNegativeNumber(weight, 'weight');
    finiteNumber(atMs, 'atMs');
    if (!containsHash(this.range, hash)) return false;
    const factor = this.advanceTo(atMs);
    const index = bucketIndex(this.range, this.bucketCount, hash);
    this.weights[index] = (this.weights[index] ?? 0) + weight * factor;
    return true;
  }

  /**
   * Total weight as of the latest observation. Decay scales every bucket alike, so shares computed
   * from it (such as the load share below a split point) hold at any time.
   */
  get weight(): number {
    return this.sum();
  }

  totalAt(nowMs: number): number {
    return this.sum() * this.decayTo(nowMs);
  }

  bucketsAt(nowMs: number): HashBucket[] {
    const factor = this.decayTo(nowMs);
    return this.weights.map((weight, index) => ({
      lo: bucketBound(this.range, this.bucketCount, index),
      hi: bucketBound(this.range, this.bucketCount, index + 1),
      weight: weight * factor,
    }));
  }

  /**
   * The hash that splits the load in half, interpolated linearly inside the bucket where the
   * cumulative weight crosses half the total, and kept strictly inside `(lo, hi)` so both sides of a
   * split at it are non-empty. Null when there is no weight or the range cannot be cut. Decay scales
   * every bucket alike, so the median does not depend on the time it is read at.
   */
  loadWeightedMedian(): bigint | null {
    const total = this.sum();
    if (!(total > 0) || this.range.hi - this.range.lo < 2n) return null;
    const half = total / 2;
    let before = 0;
    for (let index = 0; index < this.bucketCount; index++) {
      const weight = this.weights[index] ?? 0;
      if (weight > 0 && before + weight >= half) {
        const lo = bucketBound(this.range, this.bucketCount, index);
        const hi = bucketBound(this.range, this.bucketCount, index + 1);
        return this.clampInside(lo + scaleWidth(hi - lo, (half - before) / weight));
      }
      before += weight;
    }
    return this.clampInside(this.range.hi - 1n);
  }

  /** Divides the histogram at `at` into `[lo, at)` and `[at, hi)`, each with the same bucket count. */
  splitAt(at: bigint): [HashHistogram, HashHistogram] {
    if (!isInteriorPoint(this.range, at)) {
      throw new RangeError(`split point ${at} is not inside (${this.range.lo}, ${this.range.hi})`);
    }
    const sources = this.lastMs === null ? [] : this.bucketsAt(this.lastMs);
    const part = (range: HashRange): HashHistogram => {
      const histogram = new HashHistogram(range, {
        bucketCount: this.bucketCount,
        halfLifeMs: this.halfLifeMs,
      });
      histogram.weights = rebin(sources, range, this.bucketCount);
      histogram.lastMs = this.lastMs;
      return histogram;
    };
    return [part({ lo: this.range.lo, hi: at }), part({ lo: at, hi: this.range.hi })];
  }

  toState(): HashHistogramState {
    return {
      lo: hashToState(this.range.lo),
      hi: hashToState(this.range.hi),
      halfLifeMs: this.halfLifeMs,
      lastMs: this.lastMs,
      weights: [...this.weights],
    };
  }

  private sum(): number {
    return this.weights.reduce((sum, weight) => sum + weight, 0);
  }

  private decayTo(nowMs: number): number {
    return this.lastMs === null ? 1 : decayFactor(Math.max(0, nowMs - this.lastMs), this.halfLifeMs);
  }

  /** Moves the histogram's clock forward to `atMs` if later; returns the factor for a weight observed at `atMs`. */
  private advanceTo(atMs: number): number {
    if (this.lastMs !== null && atMs < this.lastMs) return decayFactor(this.lastMs - atMs, this.halfLifeMs);
    const factor = this.decayTo(atMs);
    if (factor !== 1) {
      for (let index = 0; index < this.weights.length; index++)
        this.weights[index] = (this.weights[index] ?? 0) * factor;
    }
    this.lastMs = atMs;
    return 1;
  }

  private clampInside(hash: bigint): bigint {
    if (hash <= this.range.lo) return this.range.lo + 1n;
    if (hash >= this.range.hi) return this.range.hi - 1n;
    return hash;
  }
}
