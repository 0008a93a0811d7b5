/** One shard's accesses during one window, as the `access` summary event reports them. */
export interface AccessWindowSummary {
  readonly reads: number;
  readonly writes: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  /** Decimal u64 strings: a uniform sample of the hashes accessed (with repeats, as accessed). */
  readonly sampleHashes: readonly string[];
  readonly topKeys: readonly { readonly key: string; readonly count: number }[];
}

export interface AccessAggregationOptions {
  /** Reservoir size of the hash sample. */
  readonly sampleSize: number;
  /** Keys reported as top keys. */
  readonly topKeys: number;
  /** Distinct keys counted per shard and window; later new keys count in the totals only. */
  readonly maxTrackedKeys: number;
  /** Uniform in [0, 1): injected so tests are deterministic. */
  readonly random: () => number;
}

export const DEFAULT_ACCESS_AGGREGATION: Omit<AccessAggregationOptions, 'random'> = {
  sampleSize: 256,
  topKeys: 20,
  maxTrackedKeys: 10_000,
};

class AccessWindow {
  reads = 0;
  writes = 0;
  readBytes = 0;
  writeBytes = 0;
  private seen = 0;
  private readonly sample: bigint[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: AccessAggregationOptions) {}

  record(op: 'read' | 'write', hash: bigint, key: string, bytes: number): void {
    if (op === 'read') {
      this.reads += 1;
      this.readBytes += bytes;
    } else {
      this.writes += 1;
      this.writeBytes += bytes;
    }
    // Reservoir sampling (algorithm R): every access has the same chance to be in the sample.
    this.seen += 1;
    if (this.sample.length < this.options.sampleSize) this.sample.push(hash);
    else {
      const slot = Math.floor(this.options.random() * this.seen);
      if (slot < this.options.sampleSize) this.sample[slot] = hash;
    }
    const count = this.counts.get(key);
    if (count !== undefined) this.counts.set(key, count + 1);
    else if (this.counts.size < this.options.maxTrackedKeys) this.counts.set(key, 1);
  }

  summary(): AccessWindowSummary {
    const topKeys = [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.options.topKeys)
      .map(([key, count]) => ({ key, count }));
    return {
      reads: this.reads,
      writes: this.writes,
      readBytes: this.readBytes,
      writeBytes: this.writeBytes,
      sampleHashes: this.sample.map((hash) => hash.toString()),
      topKeys,
    };
  }
}

/**
 * Per-shard access counters for the current window. The node records every read and write
 * it serves; each interval it drains the windows and publishes one summary per active shard.
 */
export class AccessAggregator {
  private windows = new Map<string, AccessWindow>();

  constructor(private readonly options: AccessAggregationOptions) {}

  record(shardId: string, op: 'read' | 'write', hash: bigint, key: string, bytes: number): void {
    let window = this.windows.get(shardId);
    if (window === undefined) {
      window = new AccessWindow(this.options);
      this.windows.set(shardId, window);
    }
    window.record(op, hash, key, bytes);
  }

  /** The summaries of the window that just ended (shards with no access are absent); starts a new one. */
  drain(): Map<string, AccessWindowSummary> {
    const ended = this.windows;
    this.windows = new Map();
    return new Map([...ended].map(([shardId, window]) => [shardId, window.summary()]));
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** How a key is shown in a top-keys list: its UTF-8 text, or hex when it is not valid UTF-8. */
export function displayKey(key: Uint8Array, maxLength = 256): string {
  const bytes = key.length > maxLength ? key.subarray(0, maxLength) : key;
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return `hex:${Buffer.from(bytes).toString('hex')}`;
  }
}
