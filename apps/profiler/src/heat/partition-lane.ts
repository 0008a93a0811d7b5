import type { AccessSummaryV1, HeatV1 } from '@shardcast/contracts';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { WindowSummary } from '../access/domain/access-aggregator.js';
import { packChunk, type StageOneAnswer } from '../access/stage-one.js';
import type { StageOneChannel, StageOneClient } from '../access/stage-one-channel.js';
import type { ShardMap } from '../shard-map/domain/shard-map.js';
import {
  PartitionHeat,
  ShardHeat,
  shardHeatWithHalfLife,
  type HashRange,
  type HeatConfig,
  type PartitionHeatState,
  type IntervalHeatReport,
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
  stageOne: StageOneChannel;
  /** Counts access messages taken in (valid ones: raw events and summaries). */
  consumed?: (count: number) => void;
}

export interface DeadLetter {
  message: KafkaMessage;
  reason: string;
}

/** What one flush takes out of a lane, as of one point in its stream: one consistent cut. */
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
  /** Intervals that closed, to store and publish. */
  reports: IntervalHeatReport[];
  /** The stage-2 state at the cut, when `changed` or `reports` ask for a checkpoint. */
  state: PartitionHeatState | undefined;
  pending: AccessSummaryV1[];
  /** Messages below `rawOffset` that are not access events: dead-lettered before that offset commits. */
  deadLetters: DeadLetter[];
}

interface CutRequest {
  nowMs: number;
  rawOffset: number;
  resolve: (cut: LaneCut) => void;
  reject: (error: Error) => void;
}

/**
 * Everything an instance holds for one `access` partition it owns: stage 1 (raw events → summaries,
 * on `StageOneChannel`) and stage 2 (summaries → heat, here), with the offsets that make a restart
 * exact.
 *
 * Offsets: stage 1 resumes at the committed consumer offset, which only the Kafka transaction that
 * publishes its summaries moves; stage 2 resumes at the offset stored with its Postgres checkpoint,
 * which is written first and so is never behind. `position` is the offset after the last message
 * taken; anything below it is a re-delivery (kafkajs rewinds to the committed offset after every
 * rebalance) and is skipped, and a summary below `summaryFloor` is already in the restored state.
 *
 * Stage 1 answers each batch with what it did not count (summaries, dead letters), in order, and a
 * cut with its drained summaries after those answers: so a cut asked for at `position` holds exactly
 * the messages below it, in both stages.
 */
export class PartitionLane implements StageOneClient {
  private readonly laneId: number;
  private position: number;
  private readonly summaryFloor: number;
  private dirty = false;
  private handoffs: Handoff[] = [];
  private claims: Claim[] = [];
  /** Pieces of hand-overs taken here, stored or not yet, so none is taken twice. */
  private readonly taken = new Map<string, HashRange[]>();
  /** Batches sent to stage 1 and not answered yet, oldest first. */
  private readonly inStageOne: KafkaMessage[][] = [];
  private readonly cuts: CutRequest[] = [];
  private deadLetters: DeadLetter[] = [];
  /** Offset of the first raw event counted since the last cut (names the summaries of the next). */
  private firstRawOffset: number | null = null;
  private failure: Error | undefined;
  private released = false;
  /** The offset the last Postgres checkpoint and the last Kafka transaction reflect. */
  checkpointedNext: number;
  committedNext: number;
  /** Heat events stored in the outbox and not yet published. */
  outbox: HeatV1[];
  flushing: Promise<void> = Promise.resolve();
  /** When the last flush began, and the flush due because the lane caught up (see `HeatService.caughtUp`). */
  lastFlushMs = 0;
  caughtUpFlush: NodeJS.Timeout | undefined;
  private pending: AccessSummaryV1[];

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
    this.position = options.rawFloor;
    this.summaryFloor = options.summaryFloor;
    this.checkpointedNext = options.summaryFloor;
    this.committedNext = options.rawFloor;
    this.outbox = options.outbox;
    this.laneId = context.stageOne.open(this, {
      windowMs: options.windowMs,
      sampleSize: options.sampleSize,
      topKeyCount: options.topKeyCount,
    });
  }

  /** Whether messages were taken in since the last Kafka transaction: a flush would have work. */
  get takenSinceCommit(): boolean {
    return this.position > this.committedNext;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Takes a batch (in offset order) in: its messages at or beyond `floor` go to stage 1 as one chunk
   * (`packChunk`), whose buffers move to stage 1's thread. Throws once stage 1 has failed.
   */
  take(messages: readonly KafkaMessage[]): void {
    if (this.released) return; // no longer ours: what it holds is the next owner's to read
    if (this.failure) throw this.failure;
    let first = 0;
    while (first < messages.length && Number(messages[first]!.offset) < this.position) first++;
    if (first === messages.length) return;
    this.position = Number(messages[messages.length - 1]!.offset) + 1;
    this.inStageOne.push(first === 0 ? (messages as KafkaMessage[]) : messages.slice(first));
    this.context.stageOne.chunk(packChunk(this.laneId, messages, first), this.context.map);
  }

  /** Stage 1's answers, in the order of the requests. */
  answer(answer: StageOneAnswer): void {
    if (answer.type === 'drain') {
      const request = this.cuts.shift();
      if (request) request.resolve(this.completeCut(request, answer.summaries));
      return;
    }
    const messages = this.inStageOne.shift();
    if (!messages) return;
    const { metrics } = this.context;
    if (answer.firstCounted >= 0) this.firstRawOffset ??= Number(messages[answer.firstCounted]!.offset);
    if (answer.counted > 0) metrics.rawIngested.inc(answer.counted);
    metrics.totals.rawEvents += answer.counted;
    if (answer.unroutable > 0) metrics.rawUnroutable.inc(answer.unroutable);
    let valid = messages.length - answer.deferred.length;
    const nowMs = Date.now();
    for (const deferred of answer.deferred) {
      const message = messages[deferred.index]!;
      if ('reason' in deferred) {
        this.deadLetters.push({ message, reason: deferred.reason });
        continue;
      }
      try {
        if (Number(message.offset) >= this.summaryFloor) this.apply(deferred.summary, nowMs);
        valid++;
      } catch (error) {
        // A valid event the heat model refuses would otherwise stop the partition for good.
        this.deadLetters.push({ message, reason: `handler rejected: ${(error as Error).message}` });
      }
    }
    this.context.consumed?.(valid);
  }

  /** Stage 1 is gone (its thread failed): every cut asked for fails, and so does the next batch. */
  fail(error: Error): void {
    this.failure = error;
    for (const request of this.cuts.splice(0)) request.reject(error);
  }

  /** The lane is no longer this instance's: stage 1 lets go of it. */
  release(): void {
    this.released = true;
    this.context.stageOne.close(this.laneId);
    this.fail(new Error(`partition ${this.partition} released`));
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

  /**
   * A consistent cut for a flush, as of the messages taken so far: stage 1 drains behind the chunks
   * already sent, and the rest is taken when its summaries come back, before any later answer.
   */
  cut(nowMs: number): Promise<LaneCut> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.cuts.push({ nowMs, rawOffset: this.position, resolve, reject });
      this.context.stageOne.drain(this.laneId);
    });
  }

  private completeCut(request: CutRequest, summaries: WindowSummary[]): LaneCut {
    this.heat.advance(request.nowMs);
    const firstRawOffset = this.firstRawOffset;
    this.firstRawOffset = null;
    const handoffs = this.handoffs;
    const claims = this.claims;
    this.handoffs = [];
    this.claims = [];
    const summaryOffset = Math.max(request.rawOffset, this.summaryFloor);
    const changed =
      this.dirty || summaryOffset !== this.checkpointedNext || handoffs.length > 0 || claims.length > 0;
    this.dirty = false;
    const reports = this.heat.takeReports();
    const deadLetters = this.deadLetters;
    this.deadLetters = [];
    return {
      summaryOffset,
      rawOffset: request.rawOffset,
      summaries,
      firstRawOffset,
      changed,
      handoffs,
      claims,
      reports,
      state: changed || reports.length > 0 ? this.heat.toState() : undefined,
      pending: [...this.pending],
      deadLetters,
    };
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
