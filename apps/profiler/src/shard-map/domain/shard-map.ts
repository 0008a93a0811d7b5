import { assertHashRange, type HashRange } from '../../heat/domain/index.js';

export type ShardStatus = 'active' | 'retired';

export interface ShardRecord {
  shardId: string;
  /** Incremented by every change to the shard; the map keeps the highest it has seen. */
  epoch: number;
  range: HashRange;
  status: ShardStatus;
}

export type ShardMapApplyOutcome = 'applied' | 'stale';

interface Segment {
  lo: bigint;
  hi: bigint;
  shardId: string;
  /** `lo` and `hi` as 32-bit halves (`hi` may be 2^64: high half 2^32), for `locateParts`. */
  loHigh: number;
  loLow: number;
  hiHigh: number;
  hiLow: number;
}

/**
 * The profiler's view of the shard map: the static map every service starts from, then every
 * state-carried shard record it reads, keeping per shard only the one with the highest epoch (a
 * record at or below the held epoch is stale and ignored, so replays and reordering change nothing).
 *
 * Locating a hash must be total and deterministic even mid-change, when the shard-manager has
 * announced a split's children but not yet retired the parent (or the other way round). Where active
 * shards overlap, the narrowest wins (then the highest epoch, then the smallest id): the finer shard is
 * the newer one after a split, and until a merge retires its parts they keep their own accesses.
 */
export class ShardMap {
  private readonly records = new Map<string, ShardRecord>();
  private segments: Segment[] = [];
  private changes = 0;

  /** The static map (`initialShards`) at epoch −1, so any record the shard-manager sends supersedes it. */
  static initial(shards: readonly { shardId: string; range: HashRange }[]): ShardMap {
    return ShardMap.of(shards.map(({ shardId, range }) => ({ shardId, epoch: -1, range, status: 'active' })));
  }

  /** A map holding exactly these records (a copy of another map's `all()`, as stage 1's thread gets it). */
  static of(records: readonly ShardRecord[]): ShardMap {
    const map = new ShardMap();
    for (const record of records) {
      assertHashRange(record.range);
      map.records.set(record.shardId, { ...record, range: { ...record.range } });
    }
    map.rebuild();
    return map;
  }

  /** Counts applied changes, so callers can tell cheaply whether anything moved. */
  get version(): number {
    return this.changes;
  }

  apply(record: ShardRecord): ShardMapApplyOutcome {
    assertHashRange(record.range);
    const held = this.records.get(record.shardId);
    if (held && record.epoch <= held.epoch) return 'stale';
    this.records.set(record.shardId, { ...record, range: { ...record.range } });
    this.changes++;
    this.rebuild();
    return 'applied';
  }

  get(shardId: string): ShardRecord | undefined {
    return this.records.get(shardId);
  }

  active(): ShardRecord[] {
    return [...this.records.values()].filter((r) => r.status === 'active').sort(byRange);
  }

  all(): ShardRecord[] {
    return [...this.records.values()].sort(byRange);
  }

  /** The active shard that owns `hash`, or undefined where no active shard covers it. */
  locate(hash: bigint): string | undefined {
    const segments = this.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const segment = segments[middle]!;
      if (hash < segment.lo) high = middle - 1;
      else if (hash >= segment.hi) low = middle + 1;
      else return segment.shardId;
    }
    return undefined;
  }

  /**
   * `locate` for a hash given as unsigned 32-bit halves: the hot path hashes keys into two numbers,
   * and making a BigInt of them only to route would cost more than the search.
   */
  locateParts(high: number, low: number): string | undefined {
    const segments = this.segments;
    let lower = 0;
    let upper = segments.length - 1;
    while (lower <= upper) {
      const middle = (lower + upper) >>> 1;
      const segment = segments[middle]!;
      if (high < segment.loHigh || (high === segment.loHigh && low < segment.loLow)) upper = middle - 1;
      else if (high > segment.hiHigh || (high === segment.hiHigh && low >= segment.hiLow)) lower = middle + 1;
      else return segment.shardId;
    }
    return undefined;
  }

  /** Cuts the hash space at every active boundary and picks one owner per piece (see the class comment). */
  private rebuild(): void {
    const active = this.active();
    const cuts = [...new Set(active.flatMap((r) => [r.range.lo, r.range.hi]))].sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    const segments: Segment[] = [];
    for (let index = 0; index + 1 < cuts.length; index++) {
      const lo = cuts[index]!;
      const hi = cuts[index + 1]!;
      let owner: ShardRecord | undefined;
      for (const record of active) {
        if (record.range.lo <= lo && hi <= record.range.hi && (!owner || preferred(record, owner)))
          owner = record;
      }
      if (!owner) continue;
      const last = segments[segments.length - 1];
      if (last && last.shardId === owner.shardId && last.hi === lo) last.hi = hi;
      else segments.push({ lo, hi, shardId: owner.shardId, loHigh: 0, loLow: 0, hiHigh: 0, hiLow: 0 });
    }
    for (const segment of segments) {
      segment.loHigh = Number(segment.lo >> 32n);
      segment.loLow = Number(segment.lo & 0xffffffffn);
      segment.hiHigh = Number(segment.hi >> 32n);
      segment.hiLow = Number(segment.hi & 0xffffffffn);
    }
    this.segments = segments;
  }
}

function byRange(a: ShardRecord, b: ShardRecord): number {
  if (a.range.lo !== b.range.lo) return a.range.lo < b.range.lo ? -1 : 1;
  if (a.range.hi !== b.range.hi) return a.range.hi < b.range.hi ? -1 : 1;
  return a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
}

function preferred(candidate: ShardRecord, current: ShardRecord): boolean {
  const a = candidate.range.hi - candidate.range.lo;
  const b = current.range.hi - current.range.lo;
  if (a !== b) return a < b;
  if (candidate.epoch !== current.epoch) return candidate.epoch > current.epoch;
  return candidate.shardId < current.shardId;
}
