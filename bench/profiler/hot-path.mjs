// Stage 1's per-event work alone, without Kafka, on the built service: what the consumer thread does
// per event (`PartitionLane.take` packing a batch into a chunk) and what stage 1's thread does per
// event (`StageOne` reading the chunk: scan, key hash, routing, windows, key counts), drained once
// per simulated flush. For comparing changes to the per-event work quickly; the end-to-end figures
// come from run.mjs.
//
//   npx tsc -b apps/profiler/tsconfig.json
//   node bench/profiler/hot-path.mjs                 # HOT_EVENTS (3000000), HOT_KEYS (100000), HOT_ROUNDS (5)
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profiler/hot-path.mjs
//
// HOT_DIST points at another build of the service (a copy of apps/profiler/dist inside the repo, so
// its packages resolve), to compare two versions on the same machine minutes apart.
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initialShards } from '@shardcast/contracts';

const dist = pathToFileURL(resolve(process.env.HOT_DIST ?? 'apps/profiler/dist')).href;
const { PartitionLane } = await import(`${dist}/heat/partition-lane.js`);
const { StageOne } = await import(`${dist}/access/stage-one.js`);
const { ShardMap } = await import(`${dist}/shard-map/domain/shard-map.js`);

const events = Number(process.env.HOT_EVENTS ?? 3_000_000);
const keys = Number(process.env.HOT_KEYS ?? 100_000);
const rounds = Number(process.env.HOT_ROUNDS ?? 5);
// What one lane takes in between two flushes at the end-to-end rate (three partitions, 1 s flushes).
const perFlush = 150_000;
const perBatch = 5_000;

// The same lines run.mjs produces (1,000 events per ms of event time), as kafkajs hands them over:
// each batch's values are views of one buffer (the fetch response), a few framing bytes apart.
const tsMs = Date.now();
const batches = [];
for (let from = 0; from < events; from += perBatch) {
  const lines = [];
  for (let n = from; n < Math.min(events, from + perBatch); n++) {
    const key = `user:${(n * 7919) % keys}`;
    lines.push(
      `{"ts":${tsMs + Math.floor(n / 1000)},"key":"${key}","op":"${n % 10 === 0 ? 'write' : 'read'}","bytes":${100 + (n % 900)}}`,
    );
  }
  const response = Buffer.from(lines.join('########'));
  let at = 0;
  batches.push(
    lines.map((line, index) => {
      const value = response.subarray(at, at + line.length);
      at += line.length + 8;
      return { offset: String(from + index), key: null, value, headers: {}, timestamp: '0', attributes: 0 };
    }),
  );
}

const map = ShardMap.initial(initialShards(16));
const lanes = { laneId: 1 };

function cpuNs(since) {
  const cpu = process.cpuUsage(since);
  return ((cpu.user + cpu.system) * 1000) / events;
}

/** A lane whose stage 1 is `onChunk` (it never answers: the lane only packs). */
function lane(onChunk) {
  const channel = { open: () => lanes.laneId, chunk: onChunk, close: () => undefined };
  const counter = { inc: () => undefined };
  const context = {
    map,
    home: () => 0,
    metrics: { rawIngested: counter, rawUnroutable: counter, totals: { rawEvents: 0 } },
    stageOne: channel,
  };
  return new PartitionLane(0, undefined, {}, context, {
    rawFloor: 0,
    summaryFloor: 0,
    pending: [],
    outbox: [],
    windowMs: 1000,
    sampleSize: 64,
    topKeyCount: 32,
  });
}

for (let round = 1; round <= rounds; round++) {
  // The consumer thread: packing each batch (the chunks are dropped, as the worker's move would).
  const chunks = [];
  const packing = lane(() => undefined);
  let cpuStart = process.cpuUsage();
  let start = performance.now();
  for (const batch of batches) packing.take(batch);
  const packWallNs = ((performance.now() - start) * 1e6) / events;
  const packCpuNs = cpuNs(cpuStart);
  const collecting = lane((chunk) => chunks.push(chunk));
  for (const batch of batches) collecting.take(batch);

  // Stage 1's thread: the same chunks, drained once per flush.
  const stageOne = new StageOne();
  stageOne.handle({ type: 'map', records: map.all() });
  stageOne.handle({
    type: 'open',
    laneId: lanes.laneId,
    options: { windowMs: 1000, sampleSize: 64, topKeyCount: 32 },
  });
  let summaries = 0;
  let counted = 0;
  cpuStart = process.cpuUsage();
  start = performance.now();
  for (let index = 0; index < chunks.length; index++) {
    counted += stageOne.handle(chunks[index]).counted;
    if (((index + 1) * perBatch) % perFlush === 0)
      summaries += stageOne.handle({ type: 'drain', laneId: lanes.laneId }).summaries.length;
  }
  summaries += stageOne.handle({ type: 'drain', laneId: lanes.laneId }).summaries.length;
  const readWallNs = ((performance.now() - start) * 1e6) / events;
  const readCpuNs = cpuNs(cpuStart);
  if (counted !== events) throw new Error(`stage 1 counted ${counted} of ${events} events`);
  process.stdout.write(
    `round ${round}: consumer thread (pack) ${packWallNs.toFixed(0)} ns/event wall, ${packCpuNs.toFixed(0)} CPU; ` +
      `stage-1 thread (read) ${readWallNs.toFixed(0)} ns/event wall, ${readCpuNs.toFixed(0)} CPU; ${summaries} summaries\n`,
  );
}
