// The baseline of the profiler bench: a bare kafkajs consumer that reads a topic from the beginning
// and does nothing with the messages. Run as its own process, like the profiler, so neither shares
// an event loop with the bench driver. Prints one JSON line:
// { messages, counted, seconds, perSecond, steadyPerSecond, cpuSeconds }.
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';

const [brokers, topic, expectedText, fetchJson] = process.argv.slice(2);
const expected = Number(expectedText);
const fetchConfig = JSON.parse(fetchJson ?? '{}');

const kafka = new Kafka({
  clientId: 'bench-raw-consumer',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: `bench-raw-${process.pid}-${Date.now()}`, ...fetchConfig });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });

let count = 0;
let firstMs;
let lastMs;
let firstCpu;
let firstCount = 0;
let at10;
let at90;
let cpu;
await new Promise((resolve) => {
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      count += batch.messages.length;
      const now = performance.now();
      if (count >= 0.1 * expected) at10 ??= now;
      if (count >= 0.9 * expected) at90 ??= now;
      // Measured from the end of the first batch, its messages not counted: the profiler is timed
      // from the first batch it reports taken in, which it can only report once handled.
      if (firstMs === undefined) {
        firstMs = performance.now();
        firstCpu = process.cpuUsage();
        firstCount = count;
      }
      if (count >= expected && lastMs === undefined) {
        lastMs = performance.now();
        cpu = process.cpuUsage(firstCpu);
        resolve();
      }
    },
  });
});
await consumer.disconnect();
const seconds = (lastMs - firstMs) / 1000;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const counted = count - firstCount;
// Steady state: the rate between 10 % and 90 % of the messages (batches end past the marks a little;
// a batch is a few thousand of a million messages).
const steadyPerSecond = (0.8 * expected) / ((at90 - at10) / 1000);
process.stdout.write(
  `${JSON.stringify({ messages: count, counted, seconds, perSecond: counted / seconds, steadyPerSecond, cpuSeconds })}\n`,
);
