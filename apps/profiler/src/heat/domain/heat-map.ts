import { assertHashRange, type HashRange } from './hash-range.js';
import { assertHeatConfig, type HeatConfig } from './heat-config.js';
import {
  ShardHeat,
  type AccessObservation,
  type ShardHeatSnapshot,
  type ShardHeatState,
} from './shard-heat.js';
import { arrayOf } from './state-fields.js';

export type ApplyOutcome = { status: 'applied'; outOfRangeHashes: number } | { status: 'unknown-shard' };
export type SplitOutcome = 'split' | 'already-split' | 'unknown-shard';
export type MergeOutcome = 'merged' | 'already-merged' | 'unknown-shard';

export interface ShardHeatReport extends ShardHeatSnapshot {
  shardId: string;
}

export interface HeatMapState {
  version: 1;
  shards: { shardId: string; heat: ShardHeatState }[];
}

/**
 * The heat of every shard the profiler tracks, keyed by shard id. Splits and merges are idempotent,
 * since the shard-map events that drive them arrive at least once: a repeated command whose result is
 * already in place reports so and changes nothing.
 */
export class HeatMap {
  private readonly shards = new Map<string, ShardHeat>();

  constructor(private readonly config: HeatConfig) {
    assertHeatConfig(config);
  }

  static fromState(state: HeatMapState, config: HeatConfig): HeatMap {
    if (state.version !== 1)
      throw new TypeError(`unsupported heat map state version ${JSON.stringify(state.version)}`);
    const map = new HeatMap(config);
    for (const { shardId, heat } of arrayOf(state.shards, 'shards') as HeatMapState['shards']) {
      if (typeof shardId !== 'string' || map.shards.has(shardId))
        throw new TypeError(`shard id ${JSON.stringify(shardId)} is not unique`);
      map.shards.set(shardId, ShardHeat.fromState(heat, config));
    }
    return map;
  }

  get size(): number {
    return this.shards.size;
  }

  get(shardId: string): ShardHeat | undefined {
    return this.shards.get(shardId);
  }

  /** Starts tracking a shard; tracking it again with the same range changes nothing. */
  track(shardId: string, range: HashRange): void {
    assertHashRange(range);
    const existing = this.shards.get(shardId);
    if (!existing) {
      this.shards.set(shardId, ShardHeat.create(range, this.config));
      return;
    }
    if (existing.range.lo !== range.lo || existing.range.hi !== range.hi) {
      throw new RangeError(
        `shard ${shardId} is tracked over [${existing.range.lo}, ${existing.range.hi}), not [${range.lo}, ${range.hi})`,
      );
    }
  }

  untrack(shardId: string): boolean {
    return this.shards.delete(shardId);
  }

  /** Ids of the tracked shards, in no particular order. */
  shardIds(): string[] {
    return [...this.shards.keys()];
  }

  /**
   * Adds history handed over from a retired shard (`part`, inside this shard's range) to a tracked
   * shard. False when the shard is not tracked.
   */
  absorb(shardId: string, part: ShardHeat): boolean {
    const heat = this.shards.get(shardId);
    if (!heat) return false;
    this.shards.set(shardId, heat.absorb(part));
    return true;
  }

  apply(shardId: string, observation: AccessObservation): ApplyOutcome {
    const heat = this.shards.get(shardId);
    if (!heat) return { status: 'unknown-shard' };
    return { status: 'applied', ...heat.apply(observation) };
  }

  /** Every shard's snapshot, in hash order (see `ShardHeat.snapshot` for the class update it makes). */
  snapshotAll(nowMs: number): ShardHeatReport[] {
    return [...this.shards]
      .map(([shardId, heat]) => ({ shardId, ...heat.snapshot(nowMs) }))
      .sort((a, b) =>
        a.range.lo < b.range.lo ? -1 : a.range.lo > b.range.lo ? 1 : a.shardId < b.shardId ? -1 : 1,
      );
  }

  /** Replaces shard `shardId` by `leftId` over `[lo, at)` and `rightId` over `[at, hi)`. */
  splitShard(shardId: string, at: bigint, leftId: string, rightId: string): SplitOutcome {
    HeatMap.assertDistinct(shardId, leftId, rightId);
    const heat = this.shards.get(shardId);
    if (!heat) return this.shards.has(leftId) && this.shards.has(rightId) ? 'already-split' : 'unknown-shard';
    this.assertFree(leftId, rightId);
    const [left, right] = heat.splitAt(at);
    this.shards.delete(shardId);
    this.shards.set(leftId, left);
    this.shards.set(rightId, right);
    return 'split';
  }

  /** Replaces the adjacent shards `leftId` and `rightId` (`left.hi === right.lo`) by `mergedId`. */
  mergeShards(leftId: string, rightId: string, mergedId: string): MergeOutcome {
    HeatMap.assertDistinct(leftId, rightId, mergedId);
    const left = this.shards.get(leftId);
    const right = this.shards.get(rightId);
    if (!left && !right && this.shards.has(mergedId)) return 'already-merged';
    if (!left || !right) return 'unknown-shard';
    this.assertFree(mergedId);
    const merged = ShardHeat.mergeAdjacent(left, right);
    this.shards.delete(leftId);
    this.shards.delete(rightId);
    this.shards.set(mergedId, merged);
    return 'merged';
  }

  toState(): HeatMapState {
    return {
      version: 1,
      shards: [...this.shards]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([shardId, heat]) => ({ shardId, heat: heat.toState() })),
    };
  }

  private static assertDistinct(...ids: string[]): void {
    if (new Set(ids).size !== ids.length)
      throw new RangeError(`shard ids must be distinct: ${ids.join(', ')}`);
  }

  private assertFree(...ids: string[]): void {
    for (const id of ids) {
      if (this.shards.has(id)) throw new RangeError(`shard ${id} already exists`);
    }
  }
}
