import { arrayOf, nonNegativeNumber, positiveInteger } from './state-fields.js';

export interface HeavyHitter {
  key: string;
  /** Estimated weight of the key: never below its true weight. */
  count: number;
  /** How much `count` may overestimate: `count − error ≤ true weight ≤ count`. */
  error: number;
}

export interface SpaceSavingState {
  capacity: number;
  totalWeight: number;
  floor: number;
  entries: HeavyHitter[];
}

interface Counter {
  count: number;
  error: number;
}

function byCountThenKey(a: HeavyHitter, b: HeavyHitter): number {
  return b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Space-Saving heavy-hitter sketch (Metwally, Agrawal, El Abbadi 2005) over weighted keys, with at
 * most `capacity` (k) counters.
 *
 * Guarantee, with N = `totalWeight` (the decayed sum of all weights added): every key whose true
 * weight exceeds N/k is in the sketch, and every entry satisfies
 * `count − error ≤ true weight ≤ count` with `error ≤ N/k`.
 *
 * Why it holds here too: the sketch keeps `Σ counts + (k − size)·floor ≤ N`, every count ≥ `floor`,
 * and any key not in it weighs at most `absentBound` (the smallest count when full, else `floor`).
 * Adding a weight, `decay` (which scales counts, errors, floor and N alike), `merge` (Agarwal et al.,
 * "Mergeable summaries", 2012: a key missing from one side is charged that side's `absentBound`, then
 * the k largest are kept) and `partition` all preserve these, and together they give the bound.
 * `floor` is 0 until a sketch is merged or partitioned. After `partition`, each part keeps the
 * parent's N, so its bound is the parent's until new weight dominates.
 */
export class SpaceSaving {
  readonly capacity: number;
  private counters = new Map<string, Counter>();
  private total = 0;
  private floor = 0;

  constructor(capacity: number) {
    this.capacity = positiveInteger(capacity, 'capacity');
  }

  static fromState(state: SpaceSavingState): SpaceSaving {
    const sketch = new SpaceSaving(state.capacity);
    const entries = arrayOf(state.entries, 'entries') as HeavyHitter[];
    if (entries.length > sketch.capacity)
      throw new RangeError(`${entries.length} entries exceed capacity ${sketch.capacity}`);
    for (const entry of entries) {
      if (typeof entry.key !== 'string' || sketch.counters.has(entry.key)) {
        throw new TypeError(`entry key ${JSON.stringify(entry.key)} is not a unique string`);
      }
      sketch.counters.set(entry.key, {
        count: nonNegativeNumber(entry.count, 'entry.count'),
        error: nonNegativeNumber(entry.error, 'entry.error'),
      });
    }
    sketch.total = nonNegativeNumber(state.totalWeight, 'totalWeight');
    sketch.floor = nonNegativeNumber(state.floor, 'floor');
    return sketch;
  }

  /** Combines two sketches of equal capacity; the result has N = Nₐ + N_b and the same guarantee. */
  static merge(a: SpaceSaving, b: SpaceSaving): SpaceSaving {
    if (a.capacity !== b.capacity)
      throw new RangeError(`cannot merge capacities ${a.capacity} and ${b.capacity}`);
    const boundA = a.absentBound;
    const boundB = b.absentBound;
    const union: HeavyHitter[] = [];
    for (const [key, counter] of a.counters) {
      const other = b.counters.get(key);
      union.push({
        key,
        count: counter.count + (other?.count ?? boundB),
        error: counter.error + (other?.error ?? boundB),
      });
    }
    for (const [key, counter] of b.counters) {
      if (!a.counters.has(key))
        union.push({ key, count: boundA + counter.count, error: boundA + counter.error });
    }
    const merged = new SpaceSaving(a.capacity);
    for (const entry of union.sort(byCountThenKey).slice(0, merged.capacity)) {
      merged.counters.set(entry.key, { count: entry.count, error: entry.error });
    }
    merged.total = a.total + b.total;
    merged.floor = boundA + boundB;
    return merged;
  }

  get size(): number {
    return this.counters.size;
  }

  get totalWeight(): number {
    return this.total;
  }

  /** Upper bound on the true weight of any key the sketch does not hold. */
  get absentBound(): number {
    if (this.counters.size < this.capacity) return this.floor;
    let min = Infinity;
    for (const counter of this.counters.values()) min = Math.min(min, counter.count);
    return min;
  }

  add(key: string, weight = 1): void {
    nonNegativeNumber(weight, 'weight');
    if (weight === 0) return;
    this.total += weight;
    const counter = this.counters.get(key);
    if (counter) {
      counter.count += weight;
      return;
    }
    if (this.counters.size < this.capacity) {
      this.counters.set(key, { count: this.floor + weight, error: this.floor });
      return;
    }
    // Evict the smallest counter; the newcomer inherits its count as possible overestimate.
    let minKey: string | undefined;
    let min = Infinity;
    for (const [candidate, { count }] of this.counters) {
      if (count < min) {
        min = count;
        minKey = candidate;
      }
    }
    if (minKey !== undefined) this.counters.delete(minKey);
    this.counters.set(key, { count: min + weight, error: min });
  }

  /** Multiplies every weight by `factor` (0 ≤ factor ≤ 1), so old accesses count for less. */
  decay(factor: number): void {
    if (!(factor >= 0 && factor <= 1)) throw new RangeError(`decay factor must be in [0, 1], got ${factor}`);
    for (const counter of this.counters.values()) {
      counter.count *= factor;
      counter.error *= factor;
    }
    this.total *= factor;
    this.floor *= factor;
  }

  get(key: string): HeavyHitter | undefined {
    const counter = this.counters.get(key);
    return counter && { key, count: counter.count, error: counter.error };
  }

  /** Entries by descending count (ties by key), so the heaviest come first. */
  entries(): HeavyHitter[] {
    return [...this.counters].map(([key, { count, error }]) => ({ key, count, error })).sort(byCountThenKey);
  }

  /**
   * Splits the sketch by key, e.g. by which side of a shard split a key's hash falls on. Each part
   * keeps its own entries; keys it lost may weigh up to the parent's `absentBound`, which becomes its floor.
   */
  partition(belongsToFirst: (key: string) => boolean): [SpaceSaving, SpaceSaving] {
    const parts = [new SpaceSaving(this.capacity), new SpaceSaving(this.capacity)] as const;
    const floor = this.absentBound;
    for (const part of parts) {
      part.total = this.total;
      part.floor = floor;
    }
    for (const [key, counter] of this.counters) {
      parts[belongsToFirst(key) ? 0 : 1].counters.set(key, { ...counter });
    }
    return [parts[0], parts[1]];
  }

  clone(): SpaceSaving {
    return SpaceSaving.fromState(this.toState());
  }

  toState(): SpaceSavingState {
    return {
      capacity: this.capacity,
      totalWeight: this.total,
      floor: this.floor,
      // Insertion order is kept: it decides which of equal smallest counters is evicted.
      entries: [...this.counters].map(([key, { count, error }]) => ({ key, count, error })),
    };
  }
}
