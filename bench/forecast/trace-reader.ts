import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { initialShards, keyHash } from '@shardcast/contracts';

/** A workload as the bench forecasts it: one load series per shard on a common hourly grid. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly intervalMs: number;
  readonly startMs: number;
  readonly shardIds: readonly string[];
  /** One series per shard, oldest first; hours without a row count as zero. */
  readonly series: readonly (readonly number[])[];
}

/**
 * The two documented trace formats (../shared/data/README.md), told apart by their header:
 * - totals:   hour_start_unix,distinct_pages,requests,bytes  → one series of requests;
 * - per key:  hour_start_unix,key,requests                    → requests summed per shard,
 *   each key placed by xxhash64 in one of `shards` equal hash ranges (the cluster's
 *   initial shard map). Keys may be CSV-quoted.
 * Either may be gzip-compressed (a .gz name).
 */
export async function readTrace(path: string, options: { shards: number; name?: string }): Promise<Workload> {
  const lines = createInterface({
    input: path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let format: 'totals' | 'per-key' | undefined;
  const totals = new Map<number, number>();
  const shards = initialShards(options.shards);
  const hours = new Set<number>();
  const byShard: Map<number, number>[] = shards.map(() => new Map<number, number>());
  let rows = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    if (format === undefined) {
      format = headerFormat(line, path);
      continue;
    }
    rows += 1;
    if (format === 'totals') {
      const [hour, , requests] = line.split(',');
      const hourMs = Number(hour) * 1000;
      totals.set(hourMs, (totals.get(hourMs) ?? 0) + Number(requests));
      continue;
    }
    const first = line.indexOf(',');
    const last = line.lastIndexOf(',');
    if (first < 0 || last <= first)
      throw new SyntaxError(`${path}: malformed row ${rows}: ${line.slice(0, 80)}`);
    const hourMs = Number(line.slice(0, first)) * 1000;
    const key = unquote(line.slice(first + 1, last));
    const requests = Number(line.slice(last + 1));
    if (!Number.isFinite(hourMs) || !Number.isFinite(requests)) {
      throw new SyntaxError(`${path}: malformed row ${rows}: ${line.slice(0, 80)}`);
    }
    const shard = shardOf(shards, keyHash(key));
    hours.add(hourMs);
    const series = byShard[shard] as Map<number, number>;
    series.set(hourMs, (series.get(hourMs) ?? 0) + requests);
  }
  if (format === undefined) throw new SyntaxError(`${path} is empty`);
  const name = options.name ?? path.split('/').slice(-2).join('/');
  if (format === 'totals') {
    const grid = hourGrid([...totals.keys()]);
    return {
      name,
      description: `hourly request totals (${grid.length} h)`,
      intervalMs: grid.intervalMs,
      startMs: grid.startMs,
      shardIds: ['total'],
      series: [grid.times.map((t) => totals.get(t) ?? 0)],
    };
  }
  const grid = hourGrid([...hours]);
  return {
    name,
    description: `${rows} (hour, key) rows hashed into ${shards.length} shards (xxhash64, equal ranges), ${grid.length} h`,
    intervalMs: grid.intervalMs,
    startMs: grid.startMs,
    shardIds: shards.map((s) => s.shardId),
    series: byShard.map((series) => grid.times.map((t) => series.get(t) ?? 0)),
  };
}

function headerFormat(header: string, path: string): 'totals' | 'per-key' {
  const columns = header.trim().split(',');
  if (columns[0] !== 'hour_start_unix')
    throw new SyntaxError(`${path}: first column must be hour_start_unix`);
  if (columns.length === 4 && columns[2] === 'requests') return 'totals';
  if (columns.length === 3 && columns[1] === 'key' && columns[2] === 'requests') return 'per-key';
  throw new SyntaxError(
    `${path}: header '${header}' is neither hour_start_unix,distinct_pages,requests,bytes nor hour_start_unix,key,requests`,
  );
}

/** Every step from the first to the last time, at the smallest gap seen (an hour in the documented traces). */
function hourGrid(times: number[]): { times: number[]; startMs: number; intervalMs: number; length: number } {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('the trace has no rows');
  let intervalMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i += 1)
    intervalMs = Math.min(intervalMs, (sorted[i] as number) - (sorted[i - 1] as number));
  if (!Number.isFinite(intervalMs)) intervalMs = 3_600_000;
  const length = Math.round((last - first) / intervalMs) + 1;
  return {
    times: Array.from({ length }, (_, i) => first + i * intervalMs),
    startMs: first,
    intervalMs,
    length,
  };
}

/** Index of the shard whose [lo, hi) holds the hash: a binary search over the ordered ranges. */
function shardOf(shards: readonly { range: { lo: bigint; hi: bigint } }[], hash: bigint): number {
  let lo = 0;
  let hi = shards.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((shards[mid] as { range: { lo: bigint } }).range.lo <= hash) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"')
    ? field.slice(1, -1).replaceAll('""', '"')
    : field;
}
