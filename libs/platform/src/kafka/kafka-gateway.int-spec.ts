import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, type HeatV1, deadLetterTopicName } from '@shardcast/contracts';
import { eventually, gatewayWithTopics, uniqueName } from '../testing/index.js';
import {
  type ConsumedEvent,
  type ConsumerHandle,
  type KafkaGateway,
  PermanentEventError,
} from './kafka-gateway.js';

const heatFixture = JSON.parse(
  readFileSync(new URL('../../../contracts/fixtures/heat.v1.json', import.meta.url), 'utf8'),
) as HeatV1;

const heat = (n: number): HeatV1 => ({ ...heatFixture, eventId: `heat-${n}`, shardId: `shard-${n}` });

interface DeadLetter {
  value: string;
  reason: string;
  sourceOffset: string;
}

async function readDeadLetters(
  gateway: KafkaGateway,
  topic: string,
  into: DeadLetter[],
): Promise<ConsumerHandle> {
  const consumer = gateway.createConsumer({ groupId: uniqueName('dlq-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      into.push({
        value: message.value?.toString() ?? '',
        reason: message.headers?.[HEADERS.deadLetterReason]?.toString() ?? '',
        sourceOffset: message.headers?.[HEADERS.deadLetterOffset]?.toString() ?? '',
      });
    },
  });
  return { groupId: 'dlq-reader', stop: () => consumer.disconnect() };
}

describe('KafkaGateway on a real broker', () => {
  const prefix = `${uniqueName('gateway')}.`;
  let gateway: KafkaGateway;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix);
  });

  afterAll(async () => {
    await Promise.all(handles.map((h) => h.stop()));
    await gateway.disconnect();
  });

  it('delivers published events decoded, and dead-letters a malformed one with its reason while going on', async () => {
    const received: ConsumedEvent<HeatV1>[] = [];
    handles.push(
      await gateway.consume({
        topic: 'heat',
        groupId: `${prefix}heat-reader`,
        handle: async (events) => {
          received.push(...events);
        },
      }),
    );

    // Same key, so all three land on one partition, in this order.
    const key = heat(1).shardId;
    await gateway.publish('heat', heat(1));
    await gateway.sendRaw(gateway.topic('heat'), [
      { key, value: '{"shardId": 42', headers: { trace: 'kept' } },
    ]);
    await gateway.publish('heat', { ...heat(2), shardId: key });

    const deadLetters: DeadLetter[] = [];
    handles.push(await readDeadLetters(gateway, deadLetterTopicName('heat', prefix), deadLetters));

    await eventually(() => expect(received.map((e) => e.value.eventId)).toEqual(['heat-1', 'heat-2']));
    expect(received[0]?.value).toEqual(heat(1));
    await eventually(() => expect(deadLetters).toHaveLength(1));
    expect(deadLetters[0]).toMatchObject({ value: '{"shardId": 42', sourceOffset: '1' });
    expect(deadLetters[0]?.reason).toMatch(/^value is not JSON/);
  });

  it('dead-letters a valid event the handler rejects for good, retries a transient failure, and loses nothing', async () => {
    const handled: string[] = [];
    let transientFailures = 0;
    handles.push(
      await gateway.consume({
        topic: 'forecast',
        groupId: `${prefix}forecast-reader`,
        handle: async (events) => {
          if (transientFailures < 1) {
            transientFailures += 1;
            throw new Error('database briefly away');
          }
          for (const event of events) {
            if (event.value.shardId === 'poison')
              throw new PermanentEventError('shard poison does not exist');
          }
          handled.push(...events.map((e) => e.value.eventId));
        },
      }),
    );
    const forecast = JSON.parse(
      readFileSync(new URL('../../../contracts/fixtures/forecast.v1.json', import.meta.url), 'utf8'),
    );
    await gateway.publishAll('forecast', [
      { ...forecast, eventId: 'f-1', shardId: 's' },
      { ...forecast, eventId: 'f-2', shardId: 'poison' },
      { ...forecast, eventId: 'f-3', shardId: 's' },
    ]);
    const deadLetters: DeadLetter[] = [];
    handles.push(await readDeadLetters(gateway, deadLetterTopicName('forecast', prefix), deadLetters));

    await eventually(() => expect(handled).toEqual(['f-1', 'f-3']));
    await eventually(() => expect(deadLetters).toHaveLength(1));
    expect(deadLetters[0]?.reason).toBe('handler rejected: shard poison does not exist');
    expect(transientFailures).toBe(1);
  });

  it('refuses to publish an event that breaks its schema', async () => {
    await expect(gateway.publish('heat', { ...heat(3), readRate: -5 })).rejects.toThrow(/readRate/);
  });
});
