export {
  DecayedRate,
  assertHalfLife,
  decayFactor,
  rateFromDecayedCount,
  type DecayedRateState,
} from './decayed-rate.js';
export {
  DEFAULT_BUCKET_COUNT,
  HashHistogram,
  type HashBucket,
  type HashHistogramOptions,
  type HashHistogramState,
} from './hash-histogram.js';
export {
  FULL_HASH_RANGE,
  HASH_SPACE_END,
  assertHashRange,
  containsHash,
  hashFromState,
  hashToState,
  isInteriorPoint,
  rangeShareBelow,
  type HashRange,
} from './hash-range.js';
export {
  classifyHeat,
  heatThresholdProblems,
  type HeatClass,
  type HeatThresholds,
} from './heat-classification.js';
export { assertHeatConfig, heatConfigProblems, type HeatConfig } from './heat-config.js';
export {
  HeatMap,
  type ApplyOutcome,
  type HeatMapState,
  type MergeOutcome,
  type ShardHeatReport,
  type SplitOutcome,
} from './heat-map.js';
export {
  IntervalClock,
  type AccessCounts,
  type ClosedInterval,
  type IntervalClockOptions,
  type IntervalClockState,
  type IntervalRecordResult,
  type ShardIntervalCounts,
  type TimedShardAccess,
} from './interval-clock.js';
export {
  ShardHeat,
  type AccessObservation,
  type ApplyResult,
  type KeyHeat,
  type ShardHeatSnapshot,
  type ShardHeatState,
} from './shard-heat.js';
export { SpaceSaving, type HeavyHitter, type SpaceSavingState } from './space-saving.js';
export { heatMapWithHalfLife, shardHeatWithHalfLife } from './half-life.js';
export { IntervalSeries, type IntervalSeriesState } from './interval-series.js';
export {
  PartitionHeat,
  type AccessSummary,
  type IntervalHeatReport,
  type PartitionHeatOptions,
  type PartitionHeatState,
  type SummaryOutcome,
} from './partition-heat.js';
