import { formatRange, rangesOverlap } from './shard-descriptor.model.js';

/**
 * Non-overlapping hash ranges, sorted, with a binary-search lookup: which served replica
 * owns a key's hash. Built anew (and swapped in one assignment) whenever the served set
 * changes, so a lookup never sees a half-updated table.
 */
export class RangeTable<T extends { readonly lo: bigint; readonly hi: bigint }> {
  private readonly sorted: readonly T[];

  constructor(entries: Iterable<T>) {
    const sorted = [...entries].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1]!;
      const current = sorted[index]!;
      if (rangesOverlap(previous, current)) {
        throw new RangeError(`ranges ${formatRange(previous)} and ${formatRange(current)} overlap`);
      }
    }
    this.sorted = sorted;
  }

  get entries(): readonly T[] {
    return this.sorted;
  }

  lookup(hash: bigint): T | undefined {
    let low = 0;
    let high = this.sorted.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const entry = this.sorted[middle]!;
      if (hash < entry.lo) high = middle - 1;
      else if (hash >= entry.hi) low = middle + 1;
      else return entry;
    }
    return undefined;
  }
}
