/**
 * Stage 1 of the profiler: raw single accesses, as they come off any `access` partition, folded into
 * per-shard per-window summaries that stage 2 (the owner of the shard's partition) turns into heat.
 *
 * Per window and shard it keeps exact read/write/byte counts, a uniform sample of the accessed hashes
 * (reservoir sampling, Vitter's algorithm R, with the random source passed in) and exact per-key
 * counts, of which the heaviest go out with the summary. Exact counts cost memory in proportion to
 * the distinct keys seen between two drains; drains come every flush (about a second), which bounds it.
 */
export interface AggregatorOptions {
  /** Length of a summary window; windows are aligned to multiples of it. */
  windowMs: number;
  /** Hashes sampled per summary (the contract allows up to 1024). */
  sampleSize: number;
  /** Keys reported per summary (the contract allows up to 100). */
  topKeyCount: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

export interface WindowSummary {
  shardId: string;
  windowStartMs: number;
  windowMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  sampleHashes: bigint[];
  topKeys: { key: string; count: number }[];
}

interface WindowCounts {
  windowStartMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  seen: number;
  sample: bigint[];
  /** Counter objects, so counting a key seen before is one lookup. */
  keys: Map<string, { count: number }>;
}

export class AccessAggregator {
  /** Per shard, its open windows: rarely more than two, so a short array beats a map. */
  private readonly shards = new Map<string, WindowCounts[]>();
  private pending = 0;
  // Copied out of the options: read once per event, plain fields keep the hot path monomorphic.
  private readonly windowMs: number;
  private readonly sampleSize: number;
  private readonly random: () => number;

  constructor(private readonly options: AggregatorOptions) {
    this.windowMs = options.windowMs;
    this.sampleSize = options.sampleSize;
    this.random = options.random;
    for (const [name, value] of Object.entries({
      windowMs: options.windowMs,
      sampleSize: options.sampleSize,
      topKeyCount: options.topKeyCount,
    })) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
    }
  }

  /** Accesses added since the last drain. */
  get pendingAccesses(): number {
    return this.pending;
  }

  /**
   * Counts one access to `shardId`. Kept small and monomorphic: it runs once per raw event, which is
   * the profiler's hot path.
   */
  add(
    shardId: string,
    atMs: number,
    hash: bigint,
    key: string | undefined,
    isWrite: boolean,
    bytes: number,
  ): void {
    const windowStartMs = atMs - (atMs % this.windowMs);
    let windows = this.shards.get(shardId);
    if (windows === undefined) {
      windows = [];
      this.shards.set(shardId, windows);
    }
    let counts: WindowCounts | undefined;
    for (let index = windows.length - 1; index >= 0; index--) {
      if (windows[index]!.windowStartMs === windowStartMs) {
        counts = windows[index];
        break;
      }
    }
    if (counts === undefined) {
      counts = {
        windowStartMs,
        reads: 0,
        writes: 0,
        readBytes: 0,
        writeBytes: 0,
        seen: 0,
        sample: [],
        keys: new Map(),
      };
      windows.push(counts);
    }
    if (isWrite) {
      counts.writes++;
      counts.writeBytes += bytes;
    } else {
      counts.reads++;
      counts.readBytes += bytes;
    }
    counts.seen++;
    if (counts.sample.length < this.sampleSize) counts.sample.push(hash);
    else {
      const slot = Math.floor(this.random() * counts.seen);
      if (slot < this.sampleSize) counts.sample[slot] = hash;
    }
    if (key !== undefined) {
      const counter = counts.keys.get(key);
      if (counter === undefined) counts.keys.set(key, { count: 1 });
      else counter.count++;
    }
    this.pending++;
  }

  /** Everything counted since the last drain, by shard then window, and a fresh start. */
  drain(): WindowSummary[] {
    const summaries: WindowSummary[] = [];
    const shardIds = [...this.shards.keys()].sort();
    for (const shardId of shardIds) {
      const windows = this.shards.get(shardId)!.sort((a, b) => a.windowStartMs - b.windowStartMs);
      for (const counts of windows) {
        summaries.push({
          shardId,
          windowStartMs: counts.windowStartMs,
          windowMs: this.options.windowMs,
          reads: counts.reads,
          writes: counts.writes,
          readBytes: counts.readBytes,
          writeBytes: counts.writeBytes,
          sampleHashes: counts.sample,
          topKeys: heaviest(counts.keys, this.options.topKeyCount),
        });
      }
    }
    this.shards.clear();
    this.pending = 0;
    return summaries;
  }
}

/**
 * The `n` largest counts, ties broken by key so the choice does not depend on arrival order. A busy
 * window holds thousands of distinct keys, most seen once: the n-th largest count is found with a
 * native numeric sort, keys above it are taken, and the keys tied at it pass through a bounded heap
 * that keeps the smallest few, far fewer comparisons than sorting them all.
 */
function heaviest(keys: Map<string, { count: number }>, n: number): { key: string; count: number }[] {
  if (keys.size === 0) return [];
  const counts = new Float64Array(keys.size);
  let index = 0;
  keys.forEach((counter) => {
    counts[index++] = counter.count;
  });
  counts.sort();
  const threshold = counts[Math.max(0, counts.length - n)]!;
  let above = 0;
  for (let k = counts.length - 1; k >= 0 && counts[k]! > threshold; k--) above++;
  const result: { key: string; count: number }[] = [];
  const tied = new SmallestStrings(n - above);
  keys.forEach((counter, key) => {
    if (counter.count > threshold) result.push({ key, count: counter.count });
    else if (counter.count === threshold) tied.offer(key);
  });
  result.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const key of tied.sorted()) result.push({ key, count: threshold });
  return result;
}

/** Keeps the `k` smallest strings offered, in a bounded max-heap. */
class SmallestStrings {
  private readonly heap: string[] = [];

  constructor(private readonly k: number) {}

  offer(value: string): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(value);
      for (let at = heap.length - 1; at > 0;) {
        const parent = (at - 1) >> 1;
        if (heap[parent]! >= heap[at]!) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
      return;
    }
    if (this.k === 0 || value >= heap[0]!) return;
    heap[0] = value;
    for (let at = 0; ;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let top = at;
      if (left < heap.length && heap[left]! > heap[top]!) top = left;
      if (right < heap.length && heap[right]! > heap[top]!) top = right;
      if (top === at) return;
      [heap[at], heap[top]] = [heap[top]!, heap[at]!];
      at = top;
    }
  }

  sorted(): string[] {
    return [...this.heap].sort();
  }
}
