// The worker of two-thread-ceiling.mjs: stage 1's per-event work (scan, key hash, routing, per-shard windows
// and per-key counts) over value chunks the consumer thread hands over, drained every 200,000 events
// as a flush would. Replies with the events it has read so far.
import { parentPort, workerData } from 'node:worker_threads';
import { initialShards } from '@shardcast/contracts';

const { AccessAggregator } = await import(`${workerData.dist}/access/domain/access-aggregator.js`);
const { scanRawAccess } = await import(`${workerData.dist}/access/raw-access.scanner.js`);
const { XXH64_OUT, xxh64Range } = await import(`${workerData.dist}/access/xxh64.js`);
const { ShardMap } = await import(`${workerData.dist}/shard-map/domain/shard-map.js`);

const aggregator = new AccessAggregator({
  windowMs: 1000,
  sampleSize: 64,
  topKeyCount: 32,
  random: Math.random,
});
const scanned = { ts: 0, isWrite: false, bytes: 0, keyStart: -1, keyEnd: -1, keyHash: undefined };
// Routed by the real shard map, as hot-path.mjs routes: 16 shards over the hash space.
const map = ShardMap.initial(initialShards(16));
let read = 0;
let drainedAt = 0;
parentPort.on('message', ({ chunk, used }) => {
  const bytes = Buffer.from(chunk, 0, used);
  for (let at = 0; at < used;) {
    const length = bytes.readUInt32LE(at);
    const value = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    if (!scanRawAccess(value, scanned)) continue;
    xxh64Range(value, scanned.keyStart, scanned.keyEnd);
    const high = XXH64_OUT[0];
    const low = XXH64_OUT[1];
    const shardId = map.locateParts(high, low);
    if (shardId === undefined) continue;
    aggregator.addBytes(
      shardId,
      scanned.ts,
      high,
      low,
      value,
      scanned.keyStart,
      scanned.keyEnd,
      scanned.isWrite,
      scanned.bytes,
    );
    read++;
  }
  if (read - drainedAt >= 200_000) {
    aggregator.drain();
    drainedAt = read;
  }
  parentPort.postMessage(read);
});
