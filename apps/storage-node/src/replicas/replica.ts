import { partitionsOverlapping } from '@shardcast/contracts';
import { type AppliedOffsets, type GapPolicy } from '../kv/domain/index.js';
import { hasCaughtUp, hasReachedTargets } from './domain/replica-derivation.planner.js';
import { rangeContainsHash, type Tier } from './domain/shard-descriptor.model.js';
import { type LmdbReplicaStore } from './lmdb-replica.store.js';

export type ReplicaState = 'serving' | 'pending' | 'retiring';

/**
 * What a replica still has to reach before it may answer reads: its sources' offsets (a
 * copy made for a split, merge or tier move), or the log end as of a moment (a replica
 * created empty, restored from a checkpoint, or reopened after a restart).
 */
export type CatchUp =
  | { readonly kind: 'sources'; readonly sources: readonly Replica[] }
  | { readonly kind: 'log-end'; targets: ReadonlyMap<number, bigint> | undefined };

export interface ReplicaInit {
  readonly replicaId: string;
  readonly shardId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly epoch: number;
  readonly tier: Tier;
  readonly state: ReplicaState;
  readonly gapPolicy: GapPolicy;
  readonly store: LmdbReplicaStore;
  readonly partitionCount: number;
  readonly catchUp?: CatchUp;
  readonly retiredAtMs?: number;
}

/** One shard replica held by this node: its LMDB store and what the node knows about it in memory. */
export class Replica {
  readonly replicaId: string;
  readonly shardId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly tier: Tier;
  readonly gapPolicy: GapPolicy;
  readonly store: LmdbReplicaStore;
  /** The kv.log partitions whose static ranges overlap this replica's range. */
  readonly partitions: readonly number[];
  epoch: number;
  state: ReplicaState;
  catchUp: CatchUp | undefined;
  retiredAtMs: number | undefined;
  /** Why the replica stopped applying (a hole in the log, corrupt data); it is not served then. */
  stalled: string | undefined;
  closed = false;
  /** Committed applied offsets: what reads may rely on. */
  readonly applied: Map<number, bigint>;
  /** Offsets at which a gap was already answered by seeking back: a second gap there is real. */
  readonly gapRetries = new Map<number, bigint>();
  private leases = 0;
  private leasesReleased: (() => void) | undefined;

  constructor(init: ReplicaInit) {
    this.replicaId = init.replicaId;
    this.shardId = init.shardId;
    this.lo = init.lo;
    this.hi = init.hi;
    this.epoch = init.epoch;
    this.tier = init.tier;
    this.state = init.state;
    this.gapPolicy = init.gapPolicy;
    this.store = init.store;
    this.catchUp = init.catchUp;
    this.retiredAtMs = init.retiredAtMs;
    this.partitions = partitionsOverlapping({ lo: init.lo, hi: init.hi }, init.partitionCount);
    this.applied = init.store.readAppliedOffsets();
  }

  get appliedOffsets(): AppliedOffsets {
    return this.applied;
  }

  /** Served to reads: in the routing table, caught up, not stalled. */
  get readable(): boolean {
    return (
      this.state === 'serving' && this.catchUp === undefined && this.stalled === undefined && !this.closed
    );
  }

  contains(hash: bigint): boolean {
    return rangeContainsHash(this, hash);
  }

  /** Whether the catch-up target is reached; clears it when it is. */
  settleCatchUp(): boolean {
    const catchUp = this.catchUp;
    if (catchUp === undefined) return true;
    let reached: boolean;
    if (catchUp.kind === 'sources') {
      reached = hasCaughtUp(
        this.applied,
        catchUp.sources.map((source) => ({
          partitions: source.partitions.filter((partition) => this.partitions.includes(partition)),
          appliedOffsets: source.applied,
        })),
      );
    } else {
      reached = catchUp.targets !== undefined && hasReachedTargets(this.applied, catchUp.targets);
    }
    if (reached) this.catchUp = undefined;
    return reached;
  }

  /** Keeps the store open while a snapshot or copy reads it; `close` waits for every lease. */
  lease(): () => void {
    if (this.closed) throw new Error(`replica ${this.replicaId} is closed`);
    this.leases += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leases -= 1;
      if (this.leases === 0) this.leasesReleased?.();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.leases > 0) await new Promise<void>((resolve) => (this.leasesReleased = resolve));
    await this.store.close();
  }

  describe(): Record<string, unknown> {
    return {
      replicaId: this.replicaId,
      shardId: this.shardId,
      range: { lo: this.lo.toString(), hi: this.hi.toString() },
      epoch: this.epoch,
      tier: this.tier,
      state: this.state,
      readable: this.readable,
      catchingUp: this.catchUp !== undefined,
      stalled: this.stalled ?? null,
      partitions: this.partitions,
      appliedOffsets: Object.fromEntries(
        [...this.applied].map(([partition, offset]) => [partition, offset.toString()]),
      ),
    };
  }
}
