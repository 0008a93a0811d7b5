// What a two-thread profiler could reach on this machine, at best: a kafkajs consumer (like
// raw-consumer.mjs) that copies each batch's values into one transferable chunk and hands it to a
// worker thread running stage 1's per-event work (two-thread-worker.mjs). No stage 2, no Kafka
// transactions, no Postgres: an upper bound for moving stage 1 off the consumer's event loop.
// Timed like the baseline, from the end of the first batch until the worker has read every event.
//
//   node bench/profiler/two-thread-ceiling.mjs <brokers> <topic> <events> [fetch JSON]
//
// Run it on a topic filled as run.mjs fills one; it prints one JSON line:
// { perSecond, seconds, cpuCores }.
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', '..', 'apps/profiler/dist')).href;
const [brokers, topic, expectedText, fetchJson] = process.argv.slice(2);
const expected = Number(expectedText);
const kafka = new Kafka({
  clientId: 'bench-two-thread',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({
  groupId: `bench-two-thread-${process.pid}-${Date.now()}`,
  ...JSON.parse(fetchJson ?? '{}'),
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });

const worker = new Worker(join(here, 'two-thread-worker.mjs'), { workerData: { dist } });
let read = 0;
let onRead = () => undefined;
worker.on('message', (count) => {
  read = count;
  onRead();
});
worker.once('error', (error) => {
  process.stderr.write(`worker failed: ${error.stack}\n`);
  process.exit(1);
});

// kafkajs re-delivers from the committed offset after a rebalance: skip what was handed over.
const next = new Map();
let taken = 0;
let firstMs;
let firstTaken = 0;
let firstCpu;
await new Promise((resolve) => {
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      let size = 0;
      for (const message of batch.messages) size += 4 + message.value.length;
      const chunk = new ArrayBuffer(size);
      const bytes = Buffer.from(chunk);
      let used = 0;
      let from = next.get(batch.partition) ?? 0;
      for (const message of batch.messages) {
        const offset = Number(message.offset);
        if (offset < from) continue;
        from = offset + 1;
        bytes.writeUInt32LE(message.value.length, used);
        bytes.set(message.value, used + 4);
        used += 4 + message.value.length;
        taken++;
      }
      next.set(batch.partition, from);
      worker.postMessage({ chunk, used }, [chunk]);
      if (firstMs === undefined) {
        firstMs = performance.now();
        firstCpu = process.cpuUsage();
        firstTaken = taken;
      }
      if (taken >= expected) resolve();
    },
  });
});
if (read < expected) await new Promise((resolve) => (onRead = () => read >= expected && resolve()));
const seconds = (performance.now() - firstMs) / 1000;
const cpu = process.cpuUsage(firstCpu);
await consumer.disconnect();
await worker.terminate();
process.stdout.write(
  `${JSON.stringify({ perSecond: (expected - firstTaken) / seconds, seconds, cpuCores: (cpu.user + cpu.system) / 1e6 / seconds })}\n`,
);
