import { DecayedRate, decayFactor, rateFromDecayedCount, type DecayedRateState } from './decayed-rate.js';
import { HashHistogram, type HashBucket, type HashHistogramState } from './hash-histogram.js';
import {
  hashFromState,
  hashToState,
  isInteriorPoint,
  rangeShareBelow,
  type HashRange,
} from './hash-range.js';
import { classifyHeat, type HeatClass } from './heat-classification.js';
import { assertHeatConfig, type HeatConfig } from './heat-config.js';
import { SpaceSaving, type SpaceSavingState } from './space-saving.js';
import { finiteNumber, nonNegativeNumber, timeOrNull } from './state-fields.js';

/** One access summary for a shard: a storage-node's per-second aggregate, or a single raw access. */
export interface AccessObservation {
  atMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  /** A sample of the hashes accessed; each stands for an equal share of `reads + writes`. */
  keyHashes?: readonly bigint[];
  topKeys?: readonly { key: string; count: number }[];
}

export interface ApplyResult {
  /** Sampled hashes outside the shard's range (a sender with a stale shard map); not counted. */
  outOfRangeHashes: number;
}

export interface KeyHeat {
  key: string;
  /** Estimated operations per second on this key, never below the true decayed rate. */
  rate: number;
  /** How much `rate` may overestimate. */
  errorRate: number;
}

export interface ShardHeatSnapshot {
  range: HashRange;
  atMs: number;
  /** Rates are per second, decayed to `atMs`. */
  readRate: number;
  writeRate: number;
  opsRate: number;
  bytesRate: number;
  heatClass: HeatClass;
  /** Load-weighted median hash, or null while too few hashes have been sampled. */
  splitPoint: bigint | null;
  topKeys: KeyHeat[];
}

export interface ShardHeatState {
  lo: string;
  hi: string;
  reads: DecayedRateState;
  writes: DecayedRateState;
  bytes: DecayedRateState;
  samples: DecayedRateState;
  histogram: HashHistogramState;
  topKeys: SpaceSavingState;
  topKeysAtMs: number | null;
  heatClass: HeatClass | null;
}

const HEAT_CLASSES: readonly HeatClass[] = ['hot', 'warm', 'cold'];

interface ShardHeatParts {
  range: HashRange;
  reads: DecayedRate;
  writes: DecayedRate;
  bytes: DecayedRate;
  samples: DecayedRate;
  histogram: HashHistogram;
  topKeys: SpaceSaving;
  topKeysAtMs: number | null;
  heatClass: HeatClass | null;
}

/**
 * The heat of one shard: decayed read, write and byte rates, a hot/cold class with hysteresis, a hash
 * histogram for its split point and a sketch of its hottest keys, all with one half-life.
 */
export class ShardHeat {
  private constructor(
    private readonly config: HeatConfig,
    private readonly parts: ShardHeatParts,
  ) {}

  static create(range: HashRange, config: HeatConfig): ShardHeat {
    assertHeatConfig(config);
    const { halfLifeMs } = config;
    return new ShardHeat(config, {
      range: { lo: range.lo, hi: range.hi },
      reads: new DecayedRate(halfLifeMs),
      writes: new DecayedRate(halfLifeMs),
      bytes: new DecayedRate(halfLifeMs),
      samples: new DecayedRate(halfLifeMs),
      histogram: new HashHistogram(range, { bucketCount: config.bucketCount, halfLifeMs }),
      topKeys: new SpaceSaving(config.topKeyCapacity),
      topKeysAtMs: null,
      heatClass: null,
    });
  }

  /** Restores persisted state; the decayed parts keep the half-life they were built with. */
  static fromState(state: ShardHeatState, config: HeatConfig): ShardHeat {
    assertHeatConfig(config);
    if (state.heatClass !== null && !HEAT_CLASSES.includes(state.heatClass)) {
      throw new TypeError(`unknown heat class ${JSON.stringify(state.heatClass)}`);
    }
    const range = { lo: hashFromState(state.lo, 'lo'), hi: hashFromState(state.hi, 'hi') };
    const histogram = HashHistogram.fromState(state.histogram);
    if (histogram.range.lo !== range.lo || histogram.range.hi !== range.hi) {
      throw new RangeError('histogram range differs from the shard range');
    }
    return new ShardHeat(config, {
      range,
      reads: DecayedRate.fromState(state.reads),
      writes: DecayedRate.fromState(state.writes),
      bytes: DecayedRate.fromState(state.bytes),
      samples: DecayedRate.fromState(state.samples),
      histogram,
      topKeys: SpaceSaving.fromState(state.topKeys),
      topKeysAtMs: timeOrNull(state.topKeysAtMs, 'topKeysAtMs'),
      heatClass: state.heatClass,
    });
  }

  /**
   * The heat of the shard made of two adjacent shards (`left.hi === right.lo`): rates add, histograms
   * and key sketches combine. The class carries over only when both sides agree; otherwise it starts
   * afresh at the next snapshot.
   */
  static mergeAdjacent(left: ShardHeat, right: ShardHeat): ShardHeat {
    const a = left.parts;
    const b = right.parts;
    if (a.range.hi !== b.range.lo) {
      throw new RangeError(
        `shards [${a.range.lo}, ${a.range.hi}) and [${b.range.lo}, ${b.range.hi}) are not adjacent`,
      );
    }
    const times = [a.topKeysAtMs, b.topKeysAtMs].filter((t): t is number => t !== null);
    const topKeysAtMs = times.length > 0 ? Math.max(...times) : null;
    return new ShardHeat(left.config, {
      range: { lo: a.range.lo, hi: b.range.hi },
      reads: a.reads.plus(b.reads),
      writes: a.writes.plus(b.writes),
      bytes: a.bytes.plus(b.bytes),
      samples: a.samples.plus(b.samples),
      histogram: HashHistogram.mergeAdjacent(a.histogram, b.histogram),
      topKeys: SpaceSaving.merge(left.topKeysDecayedTo(topKeysAtMs), right.topKeysDecayedTo(topKeysAtMs)),
      topKeysAtMs,
      heatClass: a.heatClass === b.heatClass ? a.heatClass : null,
    });
  }

  /**
   * The part of this heat that falls in `range` (which must overlap it), divided off the way a split
   * divides it: a shard retired by a split or merge hands each successor exactly its share.
   */
  restrictTo(range: HashRange): ShardHeat {
    const own = this.parts.range;
    const lo = range.lo > own.lo ? range.lo : own.lo;
    const hi = range.hi < own.hi ? range.hi : own.hi;
    if (lo >= hi) throw new RangeError(`[${range.lo}, ${range.hi}) does not overlap [${own.lo}, ${own.hi})`);
    const right = lo > own.lo ? this.splitAt(lo)[1] : this;
    return hi < own.hi ? right.splitAt(hi)[0] : right;
  }

  /**
   * This heat plus `part`, whose range lies inside this one (a piece of a retired shard's heat):
   * rates add, `part`'s histogram is re-binned onto this one's buckets, key sketches merge. The class
   * stays this shard's: it is the one the live accesses have been classifying.
   */
  absorb(part: ShardHeat): ShardHeat {
    const a = this.parts;
    const b = part.parts;
    if (b.range.lo < a.range.lo || b.range.hi > a.range.hi) {
      throw new RangeError(`[${b.range.lo}, ${b.range.hi}) is not inside [${a.range.lo}, ${a.range.hi})`);
    }
    const times = [a.topKeysAtMs, b.topKeysAtMs].filter((t): t is number => t !== null);
    const topKeysAtMs = times.length > 0 ? Math.max(...times) : null;
    return new ShardHeat(this.config, {
      range: { ...a.range },
      reads: a.reads.plus(b.reads),
      writes: a.writes.plus(b.writes),
      bytes: a.bytes.plus(b.bytes),
      samples: a.samples.plus(b.samples),
      histogram: HashHistogram.absorb(a.histogram, b.histogram),
      topKeys: SpaceSaving.merge(this.topKeysDecayedTo(topKeysAtMs), part.topKeysDecayedTo(topKeysAtMs)),
      topKeysAtMs,
      heatClass: a.heatClass,
    });
  }

  get range(): HashRange {
    return this.parts.range;
  }

  /** Time of the latest access observed, or null while the shard has seen none. */
  get lastObservedMs(): number | null {
    const times = [this.parts.reads.lastObservedMs, this.parts.writes.lastObservedMs].filter(
      (t): t is number => t !== null,
    );
    return times.length > 0 ? Math.max(...times) : null;
  }

  /** The hash histogram's buckets with their load decayed to `nowMs`. */
  histogramAt(nowMs: number): HashBucket[] {
    return this.parts.histogram.bucketsAt(nowMs);
  }

  get heatClass(): HeatClass | null {
    return this.parts.heatClass;
  }

  apply(observation: AccessObservation): ApplyResult {
    const { atMs, reads, writes, readBytes, writeBytes } = observation;
    finiteNumber(atMs, 'atMs');
    for (const [name, value] of Object.entries({ reads, writes, readBytes, writeBytes })) {
      nonNegativeNumber(value, name);
    }
    const topKeys = observation.topKeys ?? [];
    for (const { count } of topKeys) nonNegativeNumber(count, 'topKeys.count');
    const { parts } = this;
    parts.reads.observe(reads, atMs);
    parts.writes.observe(writes, atMs);
    parts.bytes.observe(readBytes + writeBytes, atMs);

    let outOfRangeHashes = 0;
    const hashes = observation.keyHashes ?? [];
    if (hashes.length > 0) {
      const weight = (reads + writes) / hashes.length;
      for (const hash of hashes) {
        if (!parts.histogram.add(hash, weight, atMs)) outOfRangeHashes++;
      }
      parts.samples.observe(hashes.length - outOfRangeHashes, atMs);
    }

    if (topKeys.length > 0) {
      const factor = this.advanceTopKeysTo(atMs);
      for (const { key, count } of topKeys) parts.topKeys.add(key, count * factor);
    }
    return { outOfRangeHashes };
  }

  /**
   * The shard's heat as of `nowMs`. Evaluating the class is the one change it makes: hysteresis needs
   * the class of the previous evaluation. Calling it twice at the same instant gives the same answer.
   */
  snapshot(nowMs: number): ShardHeatSnapshot {
    const view = this.preview(nowMs);
    this.parts.heatClass = view.heatClass;
    return view;
  }

  /**
   * The snapshot `snapshot(nowMs)` would return, without recording the class: for readers (an admin
   * API) whose polling must not move the hysteresis state that the interval clock drives.
   */
  preview(nowMs: number): ShardHeatSnapshot {
    const { parts, config } = this;
    const readRate = parts.reads.ratePerSecond(nowMs);
    const writeRate = parts.writes.ratePerSecond(nowMs);
    const opsRate = readRate + writeRate;
    const heatClass = classifyHeat(opsRate, parts.heatClass, config.thresholds);
    const enoughSamples = parts.samples.decayedCountAt(nowMs) >= config.minSplitSamples;
    const keyFactor =
      parts.topKeysAtMs === null ? 1 : decayFactor(Math.max(0, nowMs - parts.topKeysAtMs), config.halfLifeMs);
    return {
      range: { ...parts.range },
      atMs: nowMs,
      readRate,
      writeRate,
      opsRate,
      bytesRate: parts.bytes.ratePerSecond(nowMs),
      heatClass,
      splitPoint: enoughSamples ? parts.histogram.loadWeightedMedian() : null,
      topKeys: parts.topKeys.entries().map(({ key, count, error }) => ({
        key,
        rate: rateFromDecayedCount(count * keyFactor, config.halfLifeMs),
        errorRate: rateFromDecayedCount(error * keyFactor, config.halfLifeMs),
      })),
    };
  }

  /**
   * Divides the heat at `at` into `[lo, at)` and `[at, hi)`. The histogram is re-binned; rates and the
   * sampled-hash count go to each side in proportion to the histogram's load on it (by hash-range share
   * when nothing was sampled); each hot key goes to the side its hash falls on. Both sides keep the class.
   */
  splitAt(at: bigint): [ShardHeat, ShardHeat] {
    const { parts, config } = this;
    if (!isInteriorPoint(parts.range, at)) {
      throw new RangeError(`split point ${at} is not inside (${parts.range.lo}, ${parts.range.hi})`);
    }
    const [leftHistogram, rightHistogram] = parts.histogram.splitAt(at);
    const total = parts.histogram.weight;
    const leftShare = total > 0 ? leftHistogram.weight / total : rangeShareBelow(parts.range, at);
    const [leftKeys, rightKeys] = parts.topKeys.partition((key) => config.keyHash(key) < at);
    const side = (
      range: HashRange,
      share: number,
      histogram: HashHistogram,
      topKeys: SpaceSaving,
    ): ShardHeat =>
      new ShardHeat(config, {
        range,
        reads: parts.reads.scaled(share),
        writes: parts.writes.scaled(share),
        bytes: parts.bytes.scaled(share),
        samples: parts.samples.scaled(share),
        histogram,
        topKeys,
        topKeysAtMs: parts.topKeysAtMs,
        heatClass: parts.heatClass,
      });
    return [
      side({ lo: parts.range.lo, hi: at }, leftShare, leftHistogram, leftKeys),
      side({ lo: at, hi: parts.range.hi }, 1 - leftShare, rightHistogram, rightKeys),
    ];
  }

  toState(): ShardHeatState {
    const { parts } = this;
    return {
      lo: hashToState(parts.range.lo),
      hi: hashToState(parts.range.hi),
      reads: parts.reads.toState(),
      writes: parts.writes.toState(),
      bytes: parts.bytes.toState(),
      samples: parts.samples.toState(),
      histogram: parts.histogram.toState(),
      topKeys: parts.topKeys.toState(),
      topKeysAtMs: parts.topKeysAtMs,
      heatClass: parts.heatClass,
    };
  }

  /** Moves the key sketch's clock forward to `atMs` if later; returns the factor for a weight observed at `atMs`. */
  private advanceTopKeysTo(atMs: number): number {
    const { parts, config } = this;
    if (parts.topKeysAtMs !== null && atMs < parts.topKeysAtMs)
      return decayFactor(parts.topKeysAtMs - atMs, config.halfLifeMs);
    if (parts.topKeysAtMs !== null)
      parts.topKeys.decay(decayFactor(atMs - parts.topKeysAtMs, config.halfLifeMs));
    parts.topKeysAtMs = atMs;
    return 1;
  }

  private topKeysDecayedTo(atMs: number | null): SpaceSaving {
    const copy = this.parts.topKeys.clone();
    const from = this.parts.topKeysAtMs;
    if (atMs !== null && from !== null) copy.decay(decayFactor(atMs - from, this.config.halfLifeMs));
    return copy;
  }
}
