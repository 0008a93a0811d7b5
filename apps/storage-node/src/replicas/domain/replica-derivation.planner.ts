import { type AppliedOffsets } from '../../kv/domain/index.js';
import { formatRange, rangesOverlap } from './shard-descriptor.model.js';

/** A replica that may serve as a copy source: its range, and its applied offsets. */
export interface SourceCandidate {
  readonly replicaId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly appliedOffsets: AppliedOffsets;
}

export interface SourceSlice {
  readonly replicaId: string;
  /** The part of the source's range copied into the new replica. */
  readonly lo: bigint;
  readonly hi: bigint;
}

export interface DerivationPlan {
  /** In hash order; together they tile the target range exactly. */
  readonly slices: readonly SourceSlice[];
}

/**
 * How to build a replica of [lo, hi) from replicas this node already holds: a split copies
 * part of one source, a merge copies all of several, a tier move all of one. Undefined when
 * the candidates do not cover the whole range (the replica must then be restored or
 * replayed instead).
 */
export function planDerivation(
  target: { readonly lo: bigint; readonly hi: bigint },
  candidates: readonly SourceCandidate[],
): DerivationPlan | undefined {
  if (target.lo >= target.hi) throw new RangeError(`empty target range ${formatRange(target)}`);
  const overlapping = candidates
    .filter((candidate) => rangesOverlap(candidate, target))
    .sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const slices: SourceSlice[] = [];
  let covered = target.lo;
  for (const candidate of overlapping) {
    if (covered >= target.hi) break;
    // Overlapping candidates (a replica and its own pending copy) are skipped, not merged.
    if (candidate.lo > covered) return undefined;
    if (candidate.hi <= covered) continue;
    const hi = candidate.hi < target.hi ? candidate.hi : target.hi;
    slices.push({ replicaId: candidate.replicaId, lo: covered, hi });
    covered = hi;
  }
  return covered >= target.hi ? { slices } : undefined;
}

/**
 * The applied offsets a replica copied from `sources` starts at: per partition, the lowest
 * offset among the sources that consume it. Sources at different offsets are fine: records
 * a faster source had already applied are seen again, and `decideApply` recognises each
 * one as already applied (the key holds its version or a later one) or decides it exactly
 * as it did the first time (nothing else changed that key in between), so the copy ends up
 * identical to replaying from the lowest offset.
 */
export function startingOffsets(
  sources: readonly { readonly partitions: readonly number[]; readonly appliedOffsets: AppliedOffsets }[],
): Map<number, bigint> {
  const lowest = new Map<number, bigint | null>();
  for (const source of sources) {
    for (const partition of source.partitions) {
      const offset = source.appliedOffsets.get(partition);
      const known = lowest.get(partition);
      // null: some source has applied nothing from this partition, so neither has the copy.
      if (offset === undefined || known === null) lowest.set(partition, null);
      else if (known === undefined || offset < known) lowest.set(partition, offset);
    }
  }
  const offsets = new Map<number, bigint>();
  for (const [partition, offset] of lowest) if (offset !== null) offsets.set(partition, offset);
  return offsets;
}

/** Whether a copy has caught up with its sources: at or past each source's offset, partition by partition. */
export function hasCaughtUp(
  copy: AppliedOffsets,
  sources: readonly { readonly partitions: readonly number[]; readonly appliedOffsets: AppliedOffsets }[],
): boolean {
  for (const source of sources) {
    for (const partition of source.partitions) {
      const target = source.appliedOffsets.get(partition);
      if (target === undefined) continue;
      const reached = copy.get(partition);
      if (reached === undefined || reached < target) return false;
    }
  }
  return true;
}

/** Whether every partition has reached its target offset (a fresh or restored replica catching up with the log). */
export function hasReachedTargets(applied: AppliedOffsets, targets: ReadonlyMap<number, bigint>): boolean {
  for (const [partition, target] of targets) {
    const reached = applied.get(partition);
    if (reached === undefined || reached < target) return false;
  }
  return true;
}
