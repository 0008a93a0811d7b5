import { XXH64_OUT, xxh64Range } from '../xxh64.js';

/**
 * Stage 1 of the profiler: raw single accesses, as they come off any `access` partition, folded into
 * per-shard per-window summaries that stage 2 (the owner of the shard's partition) turns into heat.
 *
 * Per window and shard it keeps exact read/write/byte counts, a uniform sample of the accessed hashes
 * (reservoir sampling, Vitter's algorithm R, with the random source passed in) and exact per-key
 * counts, of which the heaviest go out with the summary. Exact counts cost memory in proportion to
 * the distinct keys seen between two drains; drains come every flush (about a second), which bounds it.
 *
 * Keys are counted in a table of key entries that outlives the drains, so that a key seen in the
 * last flush is found again without making anything. It is cleared at a drain once it holds more than
 * twice the keys that drain counted (plus some slack), or more than `MAX_KEY_ENTRIES`, so what it
 * keeps stays of the order of one flush's distinct keys, as exact counts need anyway, and an idle
 * partition lets go of it. An entry is found by the key's xxhash64 and confirmed by its text, so
 * the hot path (`addBytes`) counts a key straight from the message bytes, and a key seen
 * before makes no string, no counter and no garbage. An entry counts for one window at a time (its
 * `owner`); the same key in another window open at once is counted in that window's `extra` map.
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
  /** Names the window to the key entries it owns (ids are unique between two drains; 0 is none). */
  id: number;
  windowStartMs: number;
  reads: number;
  writes: number;
  readBytes: number;
  writeBytes: number;
  seen: number;
  sample: bigint[];
  /** The key entries this window owns, each with its count here. */
  owned: KeyEntry[];
  /** Counts of keys whose entry another open window owns (rare: two windows open at once). */
  extra: Map<string, number> | undefined;
}

interface KeyEntry {
  key: string;
  /** The key's xxhash64, as unsigned 32-bit halves. */
  high: number;
  low: number;
  /** Accesses in the owner window since the last drain. */
  count: number;
  /**
   * The owner window's id, 0 for none. A number rather than the window itself: entries live long
   * (old generation), windows briefly, and every old-to-young reference is work for each scavenge.
   */
  owner: number;
  /** The next entry whose hash has the same low half. */
  next: KeyEntry | undefined;
}

/** Key entries kept across drains at most; above it the table starts afresh at the next drain. */
const MAX_KEY_ENTRIES = 1 << 18;
/** Entries kept beyond twice a drain's keys, so a lane with few keys does not rebuild every flush. */
const KEY_ENTRY_SLACK = 1 << 10;

export class AccessAggregator {
  /** Per shard, its open windows: rarely more than two, so a short array beats a map. */
  private readonly shards = new Map<string, WindowCounts[]>();
  /** Key entries by the low half of the key's hash (an int32, which a Map holds unboxed), chained. */
  private readonly keyTable = new Map<number, KeyEntry>();
  private keyCount = 0;
  private windowIds = 0;
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

  /** Key entries held (for tests and to watch memory). */
  get trackedKeys(): number {
    return this.keyCount;
  }

  /** Accesses added since the last drain. */
  get pendingAccesses(): number {
    return this.pending;
  }

  /**
   * Counts one access to `shardId`, the key (if any) given as a string: the general path, for events
   * the scanner left to the decoder.
   */
  add(
    shardId: string,
    atMs: number,
    hash: bigint,
    key: string | undefined,
    isWrite: boolean,
    bytes: number,
  ): void {
    const counts = this.count(shardId, atMs, isWrite, bytes);
    if (counts.sample.length < this.sampleSize) counts.sample.push(hash);
    else {
      const slot = Math.floor(this.random() * counts.seen);
      if (slot < this.sampleSize) counts.sample[slot] = hash;
    }
    if (key !== undefined) {
      // The entry's hash is the key's own, whatever `hash` routed it, so both paths share entries.
      const utf8 = Buffer.from(key, 'utf8');
      xxh64Range(utf8, 0, utf8.length);
      const high = XXH64_OUT[0]!;
      const low = XXH64_OUT[1]!;
      let entry = this.keyTable.get(low | 0);
      while (entry !== undefined && !(entry.high === high && entry.low === low && entry.key === key))
        entry = entry.next;
      this.countKey(counts, entry ?? this.newEntry(key, high, low));
    }
    this.pending++;
  }

  /**
   * Counts one access to `shardId` whose key is the ASCII bytes `buf[keyStart, keyEnd)` with the
   * xxhash64 `high`:`low` (unsigned halves): the hot path. Kept small and monomorphic: it runs once
   * per raw event. A key seen before is found without making its string.
   */
  addBytes(
    shardId: string,
    atMs: number,
    high: number,
    low: number,
    buf: Buffer,
    keyStart: number,
    keyEnd: number,
    isWrite: boolean,
    bytes: number,
  ): void {
    const counts = this.count(shardId, atMs, isWrite, bytes);
    // The sample takes a BigInt only when it keeps the hash: the first few of a window, then rarely.
    if (counts.sample.length < this.sampleSize) counts.sample.push(hashOf(high, low));
    else {
      const slot = Math.floor(this.random() * counts.seen);
      if (slot < this.sampleSize) counts.sample[slot] = hashOf(high, low);
    }
    let entry = this.keyTable.get(low | 0);
    while (
      entry !== undefined &&
      !(entry.high === high && entry.low === low && sameAscii(entry.key, buf, keyStart, keyEnd))
    ) {
      entry = entry.next;
    }
    this.countKey(counts, entry ?? this.newEntry(buf.toString('latin1', keyStart, keyEnd), high, low));
    this.pending++;
  }

  /** The window's counts for an access, counted in. */
  private count(shardId: string, atMs: number, isWrite: boolean, bytes: number): WindowCounts {
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
        id: ++this.windowIds,
        windowStartMs,
        reads: 0,
        writes: 0,
        readBytes: 0,
        writeBytes: 0,
        seen: 0,
        sample: [],
        owned: [],
        extra: undefined,
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
    return counts;
  }

  private countKey(counts: WindowCounts, entry: KeyEntry): void {
    if (entry.owner === counts.id) entry.count++;
    else if (entry.owner === 0) {
      entry.owner = counts.id;
      entry.count = 1;
      counts.owned.push(entry);
    } else {
      counts.extra ??= new Map();
      counts.extra.set(entry.key, (counts.extra.get(entry.key) ?? 0) + 1);
    }
  }

  private newEntry(key: string, high: number, low: number): KeyEntry {
    const slot = low | 0;
    const entry: KeyEntry = { key, high, low, count: 0, owner: 0, next: this.keyTable.get(slot) };
    this.keyTable.set(slot, entry);
    this.keyCount++;
    return entry;
  }

  /** Everything counted since the last drain, by shard then window, and a fresh start. */
  drain(): WindowSummary[] {
    const summaries: WindowSummary[] = [];
    const shardIds = [...this.shards.keys()].sort();
    let counted = 0;
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
          topKeys: heaviest(keyCounts(counts), this.options.topKeyCount),
        });
        for (const entry of counts.owned) {
          entry.owner = 0;
          entry.count = 0;
        }
        counted += counts.owned.length;
      }
    }
    this.shards.clear();
    this.pending = 0;
    this.windowIds = 0;
    if (this.keyCount > Math.min(MAX_KEY_ENTRIES, 2 * counted + KEY_ENTRY_SLACK)) {
      this.keyTable.clear();
      this.keyCount = 0;
    }
    return summaries;
  }
}

/** A window's key counts: the entries it owns and its extra counts (no key is in both). */
function keyCounts(counts: WindowCounts): { key: string; count: number }[] {
  if (counts.extra === undefined) return counts.owned;
  const all: { key: string; count: number }[] = [...counts.owned];
  for (const [key, count] of counts.extra) all.push({ key, count });
  return all;
}

function hashOf(high: number, low: number): bigint {
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Whether `key` is exactly the bytes `buf[start, end)` (which are ASCII). */
function sameAscii(key: string, buf: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let k = 0; k < key.length; k++) if (key.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}

/**
 * The `n` largest counts, ties broken by key so the choice does not depend on arrival order. A busy
 * window holds thousands of distinct keys, most seen once: the n-th largest count is found with a
 * native numeric sort, keys above it are taken, and the keys tied at it pass through a bounded heap
 * that keeps the smallest few, far fewer comparisons than sorting them all.
 */
function heaviest(
  keys: readonly { key: string; count: number }[],
  n: number,
): { key: string; count: number }[] {
  if (keys.length === 0) return [];
  const counts = new Float64Array(keys.length);
  for (let index = 0; index < keys.length; index++) counts[index] = keys[index]!.count;
  counts.sort();
  const threshold = counts[Math.max(0, counts.length - n)]!;
  let above = 0;
  for (let k = counts.length - 1; k >= 0 && counts[k]! > threshold; k--) above++;
  const result: { key: string; count: number }[] = [];
  const tied = new SmallestStrings(n - above);
  for (const { key, count } of keys) {
    if (count > threshold) result.push({ key, count });
    else if (count === threshold) tied.offer(key);
  }
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
