import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaGateway } from '@shardcast/platform';
import {
  dropSchema,
  eventually,
  gatewayWithTopics,
  integrationEnv,
  uniqueName,
} from '@shardcast/platform/testing';
import {
  buildDist,
  ChildNode,
  contentHashOf,
  freePort,
  keyUrl,
  laterVersion,
  putValue,
  removeDir,
  runConcurrently,
  shardsOf,
} from '../testing/storage-node.harness.js';

const PARTITIONS = 4;

interface Attempted {
  /** Highest acknowledged version and its value. */
  acked?: { version: string; value: string };
  /** Every value sent for the key, acknowledged or not. */
  readonly sent: Set<string>;
}

describe('storage-node killed with SIGKILL in the middle of writes', () => {
  const prefix = `${uniqueName('kvcrash')}.`;
  const schema = uniqueName('kvcrash');
  let gateway: KafkaGateway;
  let victim: ChildNode;
  let survivor: ChildNode;

  beforeAll(async () => {
    await buildDist();
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: PARTITIONS });
    const common = { prefix, schema, partitions: PARTITIONS, shardCount: 4 };
    victim = new ChildNode({ ...common, nodeId: 'victim', port: await freePort() });
    survivor = new ChildNode({ ...common, nodeId: 'survivor', port: await freePort() });
    victim.start();
    survivor.start();
    await Promise.all([victim.waitReady(), survivor.waitReady()]);
  });

  afterAll(async () => {
    await Promise.allSettled([victim?.stop(), survivor?.stop()]);
    if (victim !== undefined) removeDir(victim.dataDir);
    if (survivor !== undefined) removeDir(survivor.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('restarts with every acknowledged write, none applied twice, identical to a node that never crashed', async () => {
    const keys = new Map<string, Attempted>();
    let acknowledged = 0;
    let failed = 0;
    let killed = false;
    const counter = { succeeded: 0, unknown: 0 };

    const writes = runConcurrently(4_000, 24, async (index) => {
      const key = `k-${index % 400}`;
      const value = `w-${index}`;
      const attempted = keys.get(key) ?? { sent: new Set<string>() };
      keys.set(key, attempted);
      attempted.sent.add(value);
      const node = index % 2 === 0 ? victim : survivor;
      try {
        const response = await putValue(node.url, key, value);
        if (response.status !== 200) {
          failed += 1;
          return;
        }
        const ack = (await response.json()) as { version: string };
        acknowledged += 1;
        if (attempted.acked === undefined || laterVersion(ack.version, attempted.acked.version))
          attempted.acked = { version: ack.version, value };
      } catch {
        failed += 1;
      }
      if (!killed && acknowledged >= 1_200) {
        killed = true;
        await victim.kill();
        victim.start();
      }
    });

    // Read-modify-write increments with If-Match on the victim: a record applied twice or skipped would show in the count.
    const increments = runConcurrently(150, 3, async () => {
      for (;;) {
        let sent = false;
        try {
          const current = await fetch(`${keyUrl(victim.url, 'counter')}?consistency=strong`);
          const version = current.headers.get('etag');
          const count = current.status === 404 ? 0 : Number(await current.text());
          if (current.status !== 200 && current.status !== 404) throw new Error(`read ${current.status}`);
          sent = true;
          const response = await putValue(
            victim.url,
            'counter',
            String(count + 1),
            version === null ? { 'if-none-match': '*' } : { 'if-match': version },
          );
          if (response.status === 200) {
            counter.succeeded += 1;
            return;
          }
          if (response.status === 412) continue;
          counter.unknown += 1;
          return;
        } catch {
          // A write cut off by the kill may or may not be in the log: its outcome is unknown.
          if (sent) {
            counter.unknown += 1;
            return;
          }
          await victim.waitReady().catch(() => undefined);
        }
      }
    });

    await Promise.all([writes, increments]);
    expect(killed).toBe(true);
    await victim.waitReady();
    expect(acknowledged).toBeGreaterThan(2_000);
    // Requests in flight at the kill, or sent while the node was down, failed: the kill hit live traffic.
    expect(failed).toBeGreaterThan(0);

    // Both nodes at the log end: applied offsets equal, lag 0.
    await eventually(
      async () => {
        const [a, b] = await Promise.all([shardsOf(victim.url), shardsOf(survivor.url)]);
        for (const report of [a, b]) for (const replica of report.replicas) expect(replica.lag).toBe(0);
        expect(a.replicas.map((replica) => replica.appliedOffsets)).toEqual(
          b.replicas.map((replica) => replica.appliedOffsets),
        );
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    // Same content, shard by shard, as the node that never crashed.
    for (const replica of (await shardsOf(survivor.url)).replicas) {
      const [a, b] = await Promise.all([
        contentHashOf(victim.url, replica.shardId),
        contentHashOf(survivor.url, replica.shardId),
      ]);
      expect(a).toEqual(b);
    }

    // Every acknowledged write is there (or a later write of the same key).
    const problems: string[] = [];
    for (const [key, attempted] of keys) {
      const response = await fetch(keyUrl(victim.url, key));
      const body = await response.text();
      const version = response.headers.get('etag')?.replaceAll('"', '');
      if (attempted.acked === undefined) continue;
      if (response.status !== 200 || version === undefined) {
        problems.push(`${key}: ${response.status}`);
      } else if (version === attempted.acked.version) {
        if (body !== attempted.acked.value) problems.push(`${key}: ${body} ≠ ${attempted.acked.value}`);
      } else if (!laterVersion(version, attempted.acked.version) || !attempted.sent.has(body)) {
        problems.push(
          `${key}: version ${version} / ${body} older than acknowledged ${attempted.acked.version}`,
        );
      }
    }
    expect(problems).toEqual([]);

    const final = Number(await (await fetch(`${keyUrl(victim.url, 'counter')}?consistency=strong`)).text());
    expect(final).toBeGreaterThanOrEqual(counter.succeeded);
    expect(final).toBeLessThanOrEqual(counter.succeeded + counter.unknown);
    expect(counter.succeeded).toBeGreaterThan(100);
  });

  it('a split cut short by SIGKILL leaves the shard either split or whole, never half, and no stray directory', async () => {
    const operations = Array.from({ length: 500 }, (_, index) => ({
      op: 'put',
      key: `bulk-${index}`,
      value: 'x'.repeat(200),
    }));
    for (let round = 0; round < 40; round += 1) {
      const batch = operations.map((operation) => ({ ...operation, key: `${operation.key}-${round}` }));
      const response = await fetch(`${victim.url}/v1/kv`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operations: batch }),
      });
      expect(response.status).toBe(200);
    }
    await eventually(async () => {
      for (const replica of (await shardsOf(victim.url)).replicas) expect(replica.lag).toBe(0);
    });
    const whole = await contentHashOf(victim.url, 'shard-000');
    const range = (await shardsOf(victim.url)).replicas.find(
      (replica) => replica.shardId === 'shard-000',
    )!.range;
    const at = ((BigInt(range.lo) + BigInt(range.hi)) / 2n).toString();

    const started = await fetch(`${victim.url}/v1/admin/shards/shard-000/split`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ at, left: 'half-a', right: 'half-b', waitMs: 0 }),
    });
    expect([200, 202]).toContain(started.status);
    await victim.kill();
    victim.start();
    await victim.waitReady();

    const serving = (await shardsOf(victim.url)).replicas.map((replica) => replica.shardId).sort();
    const split = serving.includes('half-a');
    expect(serving).toEqual(
      split
        ? ['half-a', 'half-b', 'shard-001', 'shard-002', 'shard-003']
        : ['shard-000', 'shard-001', 'shard-002', 'shard-003'],
    );
    const entries = split
      ? (await contentHashOf(victim.url, 'half-a')).entries +
        (await contentHashOf(victim.url, 'half-b')).entries
      : (await contentHashOf(victim.url, 'shard-000')).entries;
    expect(entries).toBe(whole.entries);
    const { readdirSync } = await import('node:fs');
    const onDisk = readdirSync(`${victim.dataDir}/fast/replicas`)
      .map((dir) => dir.split('~')[0])
      .sort();
    expect(onDisk).toEqual(serving);
  });
});
