import { heatThresholdProblems, type HeatThresholds } from './heat-classification.js';

export interface HeatConfig {
  /** Half-life of every decayed quantity: rates, hash buckets, sampled-hash count and hot keys. */
  halfLifeMs: number;
  /** Hot/cold levels, in operations (reads + writes) per second. */
  thresholds: HeatThresholds;
  /** Buckets in each shard's hash histogram. */
  bucketCount: number;
  /** Counters in each shard's heavy-hitter sketch (k). */
  topKeyCapacity: number;
  /** Decayed number of sampled key hashes below which a shard gets no split point: too few to trust. */
  minSplitSamples: number;
  /** The store's key hash (xxhash64), to tell which side of a split each hot key falls on. */
  keyHash: (key: string) => bigint;
}

export function heatConfigProblems(config: HeatConfig): string[] {
  const problems: string[] = [];
  if (!(Number.isFinite(config.halfLifeMs) && config.halfLifeMs > 0)) problems.push('halfLifeMs must be > 0');
  if (!(Number.isInteger(config.bucketCount) && config.bucketCount >= 1))
    problems.push('bucketCount must be an integer ≥ 1');
  if (!(Number.isInteger(config.topKeyCapacity) && config.topKeyCapacity >= 1)) {
    problems.push('topKeyCapacity must be an integer ≥ 1');
  }
  if (!(Number.isFinite(config.minSplitSamples) && config.minSplitSamples >= 0))
    problems.push('minSplitSamples must be ≥ 0');
  if (typeof config.keyHash !== 'function') problems.push('keyHash must be a function');
  return [...problems, ...heatThresholdProblems(config.thresholds)];
}

/** Reports every problem at once, so a bad configuration is fixed in one go. */
export function assertHeatConfig(config: HeatConfig): void {
  const problems = heatConfigProblems(config);
  if (problems.length > 0) throw new RangeError(`invalid heat config: ${problems.join('; ')}`);
}
