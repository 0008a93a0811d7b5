/**
 * The most recent latency samples (a ring), for p50/p99 over a sliding window: a node's
 * health sample reports how its disks behave now, not since it started.
 */
export class LatencyWindow {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  record(valueMs: number): void {
    if (!Number.isFinite(valueMs) || valueMs < 0) return;
    if (this.samples.length < this.capacity) this.samples.push(valueMs);
    else this.samples[this.next] = valueMs;
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.samples.length;
  }

  /** Nearest-rank percentile, q in [0, 1]; 0 with no samples. */
  percentile(q: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank]!;
  }
}

/** Linux dev_t → major:minor (glibc's encoding), to find a directory's block device in /sys. */
export function deviceNumbers(dev: number): { major: number; minor: number } {
  const value = BigInt(dev);
  const major = Number(((value >> 8n) & 0xfffn) | ((value >> 32n) & ~0xfffn));
  const minor = Number((value & 0xffn) | ((value >> 12n) & ~0xffn));
  return { major, minor };
}

/** `/sys/dev/block/M:m/inflight` holds "reads writes" in flight; their sum is the queue depth. */
export function parseInflight(text: string): number | undefined {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length !== 2 || parts.some((part) => !Number.isFinite(part) || part < 0)) return undefined;
  return parts[0]! + parts[1]!;
}
