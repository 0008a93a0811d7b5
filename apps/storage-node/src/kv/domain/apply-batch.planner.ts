import { type AppliedOffsets } from './log-position.model.js';

/** The least a consumed record must say about itself for planning. */
export interface PositionedRecord {
  readonly partition: number;
  readonly offset: bigint;
}

export interface OffsetGap {
  readonly partition: number;
  /** The offset that should have come next (applied offset + 1). */
  readonly expectedOffset: bigint;
  readonly actualOffset: bigint;
}

/**
 * What to do on a gap. `stop`: hold back the partition's later records, so a replica
 * catching up from a checkpoint never builds state over a hole. `accept`: report and go
 * on, for replaying the compacted part of kv.log, where missing offsets are expected.
 */
export type GapPolicy = 'stop' | 'accept';

export interface ApplyBatchPlan<R extends PositionedRecord> {
  /** In input order; partitions interleave but each one's offsets increase. */
  readonly toApply: readonly R[];
  /** At or below the applied offset (a replay after a crash) or repeated within the batch. */
  readonly alreadyApplied: readonly R[];
  /** After a gap, with policy `stop`: seek the partition back to the gap and fetch again. */
  readonly heldBack: readonly R[];
  readonly gaps: readonly OffsetGap[];
  /**
   * Every partition's applied offset once `toApply` is committed: the same LMDB transaction
   * must write the records' effects and these offsets. Records that are consumed but
   * change nothing (conflicts, keys outside the shard's range) still advance the offset.
   */
  readonly newAppliedOffsets: ReadonlyMap<number, bigint>;
}

/**
 * Plans one apply batch against the offsets stored in LMDB. A record at or below its
 * partition's applied offset was committed before a crash and is skipped, so a replay
 * applies nothing twice; a record past applied + 1 reveals a gap. A partition with nothing
 * applied yet has no expectation, so its first record starts it.
 */
export function planApplyBatch<R extends PositionedRecord>(
  records: readonly R[],
  applied: AppliedOffsets,
  options: { readonly onGap: GapPolicy },
): ApplyBatchPlan<R> {
  const offsets = new Map(applied);
  const blocked = new Set<number>();
  const toApply: R[] = [];
  const alreadyApplied: R[] = [];
  const heldBack: R[] = [];
  const gaps: OffsetGap[] = [];

  for (const record of records) {
    if (blocked.has(record.partition)) {
      heldBack.push(record);
      continue;
    }
    const last = offsets.get(record.partition);
    if (last !== undefined && record.offset <= last) {
      alreadyApplied.push(record);
      continue;
    }
    if (last !== undefined && record.offset !== last + 1n) {
      gaps.push({ partition: record.partition, expectedOffset: last + 1n, actualOffset: record.offset });
      if (options.onGap === 'stop') {
        blocked.add(record.partition);
        heldBack.push(record);
        continue;
      }
    }
    offsets.set(record.partition, record.offset);
    toApply.push(record);
  }
  return { toApply, alreadyApplied, heldBack, gaps, newAppliedOffsets: offsets };
}

/** Where to seek each partition after a restart: one past what LMDB says was applied. */
export function resumeOffsets(applied: AppliedOffsets): Map<number, bigint> {
  return new Map([...applied].map(([partition, offset]) => [partition, offset + 1n]));
}
