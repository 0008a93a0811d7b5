import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADERS, decodeEvent, encodeEvent } from './codec.js';
import { eventJsonSchemas } from './json-schemas.js';
import { TOPICS, type TopicKey, deadLetterTopicName, topicPlan } from './topics.js';

const fixturesDir = new URL('../fixtures/', import.meta.url);
const topicByEvent = new Map(Object.entries(TOPICS).map(([key, spec]) => [spec.event, key as TopicKey]));

function fixture(file: string): Buffer {
  return readFileSync(new URL(file, fixturesDir));
}

describe('golden fixtures', () => {
  const files = readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));

  it('has a fixture for every event', () => {
    const covered = new Set(files.map((f) => f.split('.').slice(0, 2).join('.')));
    for (const spec of Object.values(TOPICS)) expect(covered).toContain(spec.event);
  });

  it.each(files)('%s decodes, and re-encodes to the same event', (file) => {
    const event = file.split('.').slice(0, 2).join('.');
    const topic = topicByEvent.get(event);
    expect(topic, `no topic carries ${event}`).toBeDefined();
    const decoded = decodeEvent(topic!, { value: fixture(file) });
    expect(decoded.ok, decoded.ok ? '' : decoded.reason).toBe(true);
    if (!decoded.ok) return;
    const encoded = encodeEvent(topic!, decoded.value as never);
    expect(encoded.headers[HEADERS.event]).toBe(event);
    const again = decodeEvent(topic!, { value: encoded.value, headers: encoded.headers });
    expect(again).toEqual(decoded);
  });
});

describe('decoding bad input', () => {
  it('names the field that is wrong', () => {
    const result = decodeEvent('heat', {
      value: Buffer.from(JSON.stringify({ shardId: 's', readRate: -1 })),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('invalid heat.v1');
    expect(result.reason).toContain('readRate');
    expect(result.reason).toContain('eventId');
  });

  it('rejects non-JSON, empty values and unknown versions', () => {
    expect(decodeEvent('heat', { value: Buffer.from('{oops') })).toMatchObject({ ok: false });
    expect(decodeEvent('heat', { value: null })).toEqual({ ok: false, reason: 'empty message value' });
    const wrongVersion = decodeEvent('heat', {
      value: fixture('heat.v1.json'),
      headers: { [HEADERS.event]: 'heat.v2' },
    });
    expect(wrongVersion).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unsupported event version "heat.v2"'),
    });
  });

  it('requires a key or a key hash on raw access events', () => {
    const result = decodeEvent('access', { value: Buffer.from(JSON.stringify({ ts: 1, op: 'read' })) });
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringContaining('one of key or keyHash is required'),
    });
  });

  it('refuses to encode an invalid event', () => {
    expect(() => encodeEvent('heat', { shardId: 'x' } as never)).toThrow(
      /refusing to publish an invalid heat.v1/,
    );
  });

  it('fails (never throws) on a malformed u64 or hash range', () => {
    for (const keyHash of ['4s2', '-1', '0x10', '', '1e3']) {
      const raw = { ts: 1, keyHash, op: 'read' };
      expect(decodeEvent('access', { value: Buffer.from(JSON.stringify(raw)) })).toMatchObject({
        ok: false,
        reason: expect.stringContaining('keyHash: must be a decimal u64 string'),
      });
    }
    const heat = JSON.parse(fixture('heat.v1.json').toString());
    const badRange = { ...heat, range: { lo: 'x', hi: '12' } };
    expect(decodeEvent('heat', { value: Buffer.from(JSON.stringify(badRange)) })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('range.lo'),
    });
  });

  it('rejects a u64 that does not fit in 64 bits', () => {
    const raw = { ts: 1, keyHash: '18446744073709551616', op: 'write' };
    expect(decodeEvent('access', { value: Buffer.from(JSON.stringify(raw)) })).toMatchObject({ ok: false });
  });
});

describe('topic plan', () => {
  it('creates every topic with its dead-letter twin, and kv.log compacted with the cluster P', () => {
    const plan = topicPlan({ prefix: 't1.', kvLogPartitions: 64 });
    const names = plan.map((t) => t.name);
    for (const spec of Object.values(TOPICS)) {
      expect(names).toContain(`t1.${spec.name}`);
      expect(names).toContain(deadLetterTopicName(spec.name, 't1.'));
    }
    expect(plan.find((t) => t.name === 't1.kv.log')).toMatchObject({
      partitions: 64,
      config: { 'cleanup.policy': 'compact' },
    });
    expect(plan.find((t) => t.name === 't1.heat')?.config['cleanup.policy']).toBe('delete');
  });
});

describe('committed JSON Schemas', () => {
  it.each(Object.entries(eventJsonSchemas()))('%s matches libs/contracts/schemas', async (event, schema) => {
    await expect(`${JSON.stringify(schema, null, 2)}\n`).toMatchFileSnapshot(`../schemas/${event}.json`);
  });
});
