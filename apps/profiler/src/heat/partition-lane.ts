import { keyHash, type AccessSummaryV1, type HeatV1, type RawAccessV1 } from '@shardcast/contracts';
import type { Producer } from 'kafkajs';
import { AccessAggregator, type WindowSummary } from '../access/domain/access-aggregator.js';
import { scanRawAccess, type ScannedAccess } from '../access/raw-access.scanner.js';
import { XXH64_OUT, xxh64Range } from '../access/xxh64.js';
import type { ShardMap } from '../shard-map/domain/shard-map.js';
import {
  PartitionHeat,
  ShardHeat,
  shardHeatWithHalfLife,
  type HashRange,
  type HeatConfig,
} from './domain/index.js';
import { PROFILER_NODE, domainSummary } from './heat-events.js';
import type { Claim, Handoff, OpenHandoff } from './heat.repository.js';
import type { ProfilerMetrics } from './profiler.metrics.js';

/** Summaries for shards the map does not know yet are held at most this many per partition. */
const MAX_PENDING = 10_000;

export interface LaneContext {
  map: ShardMap;
  /** The `access` partition a shard's summaries go to (murmur2 of the shard id, as producers key them). */
  home: (shardId: string) => number;
  metrics: ProfilerMetrics;
}

/** What one flush takes out of a lane; taken synchronously, so it is one consistent cut. */
export interface LaneCut {
  /** Summaries below it are in the heat state (the Postgres checkpoint's offset). */
  summaryOffset: number;
  /** Raw events below it are in `summaries` or were published before (the consumer offset to commit). */
  rawOffset: number;
  summaries: WindowSummary[];
  firstRawOffset: number | null;
  changed: boolean;
  handoffs: Handoff[];
  claims: Claim[];
}

/**
 * Everything an instance holds for one `access` partition it owns: stage 1 (raw events → summaries)
 * and stage 2 (summaries → heat), with the offsets that make a restart exact.
 *
 * Offsets: stage 1 resumes at the committed consumer offset, which only the Kafka transaction that
 * publishes its summaries moves; stage 2 resumes at the offset stored with its Postgres checkpoint,
 * which is written first and so is never behind. `position` is the offset after the last message
 * handled; anything below it is a re-delivery (kafkajs rewinds to the committed offset after every
 * rebalance) and is skipped, and a summary below `summaryFloor` is already in the restored state.
 */
export class PartitionLane {
  private readonly aggregator: AccessAggregator;
  private position: number;
  private readonly summaryFloor: number;
  private firstRawOffset: number | null = null;
  private dirty = false;
  private rawSinceBatch = 0;
  private unroutableSinceBatch = 0;
  private handoffs: Handoff[] = [];
  private claims: Claim[] = [];
  /** Pieces of hand-overs taken here, stored or not yet, so none is taken twice. */
  private readonly taken = new Map<string, HashRange[]>();
  /** The offset the last Postgres checkpoint and the last Kafka transaction reflect. */
  checkpointedNext: number;
  committedNext: number;
  /** Heat events stored in the outbox and not yet published. */
  outbox: HeatV1[];
  flushing: Promise<void> = Promise.resolve();
  private pending: AccessSummaryV1[];
  private readonly scanned: ScannedAccess = {
    ts: 0,
    isWrite: false,
    bytes: 0,
    keyStart: -1,
    keyEnd: -1,
    keyHash: undefined,
  };

  constructor(
    readonly partition: number,
    readonly producer: Producer,
    readonly heat: PartitionHeat,
    private readonly context: LaneContext,
    options: {
      rawFloor: number;
      summaryFloor: number;
      pending: AccessSummaryV1[];
      outbox: HeatV1[];
      windowMs: number;
      sampleSize: number;
      topKeyCount: number;
    },
  ) {
    this.pending = options.pending;
    this.aggregator = new AccessAggregator({
      windowMs: options.windowMs,
      sampleSize: options.sampleSize,
      topKeyCount: options.topKeyCount,
      random: Math.random,
    });
    this.position = options.rawFloor;
    this.summaryFloor = options.summaryFloor;
    this.checkpointedNext = options.summaryFloor;
    this.committedNext = options.rawFloor;
    this.outbox = options.outbox;
  }

  /** Lowest offset this lane still wants; anything below is a re-delivery. */
  get floor(): number {
    return this.position;
  }

  private get summaryOffset(): number {
    return Math.max(this.position, this.summaryFloor);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Stage 1's hot path: a raw event in its plain form, read straight from the message bytes (see
   * `scanRawAccess`). False, having done nothing, when the message needs the general decoder.
   */
  rawBytes(offset: number, value: Buffer): boolean {
    const scanned = this.scanned;
    if (!scanRawAccess(value, scanned)) return false;
    if (offset < this.position) return true;
    this.position = offset + 1;
    if (scanned.keyStart < 0) {
      this.count(offset, BigInt(scanned.keyHash!), undefined, scanned.ts, scanned.isWrite, scanned.bytes);
      return true;
    }
    // The key's hash straight from its bytes (ASCII, so they are its UTF-8): no string, no BigInt.
    xxh64Range(value, scanned.keyStart, scanned.keyEnd);
    const high = XXH64_OUT[0]!;
    const low = XXH64_OUT[1]!;
    const shardId = this.context.map.locateParts(high, low);
    if (shardId === undefined) {
      this.unroutableSinceBatch++;
      return true;
    }
    this.aggregator.addBytes(
      shardId,
      scanned.ts,
      high,
      low,
      value,
      scanned.keyStart,
      scanned.keyEnd,
      scanned.isWrite,
      scanned.bytes,
    );
    this.firstRawOffset ??= offset;
    this.rawSinceBatch++;
    return true;
  }

  /** Stage 1, once per raw event: route by the key's hash and count it in its shard's window. */
  raw(offset: number, access: RawAccessV1): void {
    if (offset < this.position) return;
    this.position = offset + 1;
    const hash = access.key !== undefined ? keyHash(access.key) : BigInt(access.keyHash!);
    this.count(offset, hash, access.key, access.ts, access.op === 'write', access.bytes);
  }

  private count(
    offset: number,
    hash: bigint,
    key: string | undefined,
    atMs: number,
    isWrite: boolean,
    bytes: number,
  ): void {
    const shardId = this.context.map.locate(hash);
    if (shardId === undefined) {
      this.unroutableSinceBatch++;
      return;
    }
    this.aggregator.add(shardId, atMs, hash, key, isWrite, bytes);
    this.firstRawOffset ??= offset;
    this.rawSinceBatch++;
  }

  /** Stage 2: a summary (a storage-node's, or one stage 1 made) becomes heat. */
  summary(offset: number, summary: AccessSummaryV1, nowMs: number): void {
    if (offset < this.position) return;
    this.position = offset + 1;
    if (offset >= this.summaryFloor) this.apply(summary, nowMs);
  }

  /** A message that was not an access event (it went to the dead-letter topic). */
  skip(offset: number): void {
    if (offset >= this.position) this.position = offset + 1;
  }

  /** Moves the batch's hot-path counts into the metrics (cheaper than once per event). */
  endBatch(): void {
    const { metrics } = this.context;
    if (this.rawSinceBatch > 0) metrics.rawIngested.inc(this.rawSinceBatch);
    metrics.totals.rawEvents += this.rawSinceBatch;
    if (this.unroutableSinceBatch > 0) metrics.rawUnroutable.inc(this.unroutableSinceBatch);
    this.rawSinceBatch = 0;
    this.unroutableSinceBatch = 0;
  }

  /**
   * Follows the shard map: retired shards hand their heat over (written with the next checkpoint);
   * active shards whose summaries come to this partition are tracked. Held summaries are retried.
   */
  reconcile(nowMs: number): void {
    const { map, home } = this.context;
    for (const shardId of this.heat.shardIds()) {
      const record = map.get(shardId);
      const moved = record !== undefined && record.status === 'active' && home(shardId) !== this.partition;
      const reshaped =
        record !== undefined &&
        record.status === 'active' &&
        (record.range.lo !== this.heat.shard(shardId)!.range.lo ||
          record.range.hi !== this.heat.shard(shardId)!.range.hi);
      if (record?.status === 'retired' || moved || reshaped) this.handOver(shardId);
    }
    for (const record of map.active()) {
      if (home(record.shardId) === this.partition && !this.heat.isTracked(record.shardId)) {
        this.heat.track(record.shardId, record.range);
        this.dirty = true;
      }
    }
    const held = this.pending;
    this.pending = [];
    for (const summary of held) this.apply(summary, nowMs);
  }

  /** Takes the not-yet-taken pieces of retired shards' heat that fall in shards tracked here. */
  claim(handoffs: readonly OpenHandoff[], config: HeatConfig): void {
    for (const handoff of handoffs) {
      for (const shardId of this.heat.shardIds()) {
        const target = this.heat.shard(shardId)!.range;
        const taken = [...handoff.claimed, ...(this.taken.get(handoff.sourceShardId) ?? [])];
        for (const piece of subtract(intersect(handoff.range, target), taken)) {
          const heat = ShardHeat.fromState(shardHeatWithHalfLife(handoff.state, config.halfLifeMs), config);
          this.heat.absorb(shardId, heat.restrictTo(piece));
          this.claims.push({ sourceShardId: handoff.sourceShardId, targetShardId: shardId, range: piece });
          this.taken.set(handoff.sourceShardId, [...(this.taken.get(handoff.sourceShardId) ?? []), piece]);
          this.dirty = true;
        }
      }
    }
  }

  /** A consistent cut for a flush: the summaries of stage 1 and the offset both stages have reached. */
  cut(nowMs: number): LaneCut {
    this.heat.advance(nowMs);
    const firstRawOffset = this.firstRawOffset;
    this.firstRawOffset = null;
    const handoffs = this.handoffs;
    const claims = this.claims;
    this.handoffs = [];
    this.claims = [];
    const summaryOffset = this.summaryOffset;
    const changed =
      this.dirty || summaryOffset !== this.checkpointedNext || handoffs.length > 0 || claims.length > 0;
    this.dirty = false;
    return {
      summaryOffset,
      rawOffset: this.position,
      summaries: this.aggregator.drain(),
      firstRawOffset,
      changed,
      handoffs,
      claims,
    };
  }

  pendingSummaries(): AccessSummaryV1[] {
    return [...this.pending];
  }

  markDirty(): void {
    this.dirty = true;
  }

  private handOver(shardId: string): void {
    const heat = this.heat.retire(shardId);
    if (!heat) return;
    this.handoffs.push({ sourceShardId: shardId, range: heat.range, state: heat.toState() });
    this.dirty = true;
  }

  private apply(summary: AccessSummaryV1, nowMs: number): void {
    const { metrics, map, home } = this.context;
    const outcome = this.heat.applySummary(domainSummary(summary), nowMs);
    switch (outcome.status) {
      case 'applied':
        this.dirty = true;
        metrics.summariesApplied.inc({
          origin: summary.node === PROFILER_NODE ? 'profiler' : 'storage-node',
        });
        metrics.accessesApplied.inc(outcome.accesses);
        metrics.totals.accessesApplied += outcome.accesses;
        metrics.freshnessLag.observe(
          Math.max(0, nowMs - (summary.windowStartMs + summary.windowMs / 2)) / 1000,
        );
        return;
      case 'duplicate':
        metrics.summariesDropped.inc({ reason: 'duplicate' });
        return;
      case 'late':
        metrics.lateDropped.inc(outcome.accesses);
        metrics.totals.lateAccessesDropped += outcome.accesses;
        return;
      case 'future':
        metrics.summariesDropped.inc({ reason: 'future' });
        return;
      case 'untracked-shard': {
        const record = map.get(summary.shardId);
        if (record === undefined) return this.hold(summary);
        if (record.status === 'retired') {
          metrics.summariesDropped.inc({ reason: 'retired-shard' });
          return;
        }
        if (home(summary.shardId) !== this.partition) {
          metrics.summariesDropped.inc({ reason: 'misrouted' });
          return;
        }
        // Announced since the last reconcile: start tracking it now rather than lose its first accesses.
        this.heat.track(summary.shardId, record.range);
        return this.apply(summary, nowMs);
      }
    }
  }

  /** A shard the map has not announced yet (this instance reads `shardmap` a little behind a sender). */
  private hold(summary: AccessSummaryV1): void {
    if (this.heat.isLate(summary.windowStartMs) || this.pending.length >= MAX_PENDING) {
      this.context.metrics.summariesDropped.inc({ reason: 'unknown-shard' });
      return;
    }
    this.pending.push(summary);
    this.dirty = true;
  }
}

function intersect(a: HashRange, b: HashRange): HashRange | undefined {
  const lo = a.lo > b.lo ? a.lo : b.lo;
  const hi = a.hi < b.hi ? a.hi : b.hi;
  return lo < hi ? { lo, hi } : undefined;
}

/** `range` minus every range in `taken`, as disjoint ranges in hash order. */
export function subtract(range: HashRange | undefined, taken: readonly HashRange[]): HashRange[] {
  if (range === undefined) return [];
  let pieces: HashRange[] = [range];
  for (const cut of taken) {
    pieces = pieces.flatMap((piece) => {
      if (cut.hi <= piece.lo || cut.lo >= piece.hi) return [piece];
      const left = cut.lo > piece.lo ? [{ lo: piece.lo, hi: cut.lo }] : [];
      const right = cut.hi < piece.hi ? [{ lo: cut.hi, hi: piece.hi }] : [];
      return [...left, ...right];
    });
  }
  return pieces;
}
