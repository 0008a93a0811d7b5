import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialShards, type ShardStateV1 } from '@shardcast/contracts';
import { type KafkaGateway } from '@shardcast/platform';
import {
  dropSchema,
  eventually,
  gatewayWithTopics,
  integrationEnv,
  uniqueName,
} from '@shardcast/platform/testing';
import {
  contentHashOf,
  type InProcessNode,
  keyUrl,
  putValue,
  removeDir,
  runConcurrently,
  shardsOf,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';

const PARTITIONS = 4;
const [SHARD_0, SHARD_1] = initialShards(2) as [
  { shardId: string; range: { lo: bigint; hi: bigint } },
  { shardId: string; range: { lo: bigint; hi: bigint } },
];

async function post(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function replicaDirs(node: InProcessNode, tier: 'fast' | 'slow'): string[] {
  const dir = join(node.dataDir, tier, 'replicas');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Readers that fail the test on any read that is not the value written before. */
function startReaders(
  node: InProcessNode,
  values: ReadonlyMap<string, string>,
): { reads: () => number; stop: () => Promise<{ reads: number; failures: string[] }> } {
  const keys = [...values.keys()];
  const failures: string[] = [];
  let reads = 0;
  let running = true;
  const loops = Array.from({ length: 8 }, async () => {
    while (running) {
      const key = keys[Math.floor(Math.random() * keys.length)]!;
      try {
        const response = await fetch(keyUrl(node.url, key));
        const body = await response.text();
        if (response.status !== 200 || body !== values.get(key))
          failures.push(`${key}: ${response.status} ${body.slice(0, 80)}`);
      } catch (error) {
        failures.push(`${key}: ${(error as Error).message}`);
      }
      reads += 1;
    }
  });
  return {
    reads: () => reads,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { reads, failures };
    },
  };
}

describe('local replica operations, online', () => {
  const prefix = `${uniqueName('replops')}.`;
  const schema = uniqueName('replops');
  let gateway: KafkaGateway;
  let node: InProcessNode;
  const stable = new Map<string, string>();

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: PARTITIONS });
    node = await startNodeInProcess({
      prefix,
      schema,
      nodeId: 'ops-node',
      partitions: PARTITIONS,
      shardCount: 2,
      extra: { RETIRED_REPLICA_GRACE_MS: '300' },
    });
    await runConcurrently(2_000, 32, async (index) => {
      const key = `stable-${index}`;
      const value = `v-${index}`;
      expect((await putValue(node.url, key, value)).status).toBe(200);
      stable.set(key, value);
    });
    await eventually(async () =>
      expect((await fetch(`${keyUrl(node.url, 'stable-1999')}?consistency=strong`)).status).toBe(200),
    );
  });

  afterAll(async () => {
    await node?.close();
    if (node !== undefined) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('splits, moves tiers and merges while reads and writes go on, with no failed read', async () => {
    const readers = startReaders(node, stable);
    const acked = new Map<string, string>();
    let writing = true;
    const writer = (async () => {
      for (let index = 0; writing; index += 1) {
        const response = await putValue(node.url, `during-${index}`, `d-${index}`);
        if (response.status === 200)
          acked.set(`during-${index}`, ((await response.json()) as { token: string }).token);
      }
    })();

    const middle = (SHARD_0.range.lo + SHARD_0.range.hi) / 2n;
    const split = await post(node.url, `/v1/admin/shards/${SHARD_0.shardId}/split`, {
      at: middle.toString(),
      left: 'shard-000-a',
      right: 'shard-000-b',
    });
    expect(split).toMatchObject({ status: 200, body: { kind: 'split', status: 'done' } });

    const move = await post(node.url, `/v1/admin/shards/${SHARD_1.shardId}/tier`, { tier: 'slow' });
    expect(move).toMatchObject({ status: 200, body: { kind: 'tier-move', status: 'done' } });

    const merge = await post(node.url, '/v1/admin/shards/merge', {
      left: 'shard-000-a',
      right: 'shard-000-b',
      into: 'shard-000-m',
    });
    expect(merge).toMatchObject({ status: 200, body: { kind: 'merge', status: 'done' } });

    // On a loaded machine the operations can finish within a handful of writes; keep the
    // writer going until it has something to check (the ones during the operations included).
    await eventually(() => expect(acked.size).toBeGreaterThan(10));
    writing = false;
    await writer;
    await eventually(() => expect(readers.reads()).toBeGreaterThan(200));
    const { reads, failures } = await readers.stop();
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(200);

    const report = await shardsOf(node.url);
    expect(report.replicas.map((replica) => [replica.shardId, replica.tier, replica.state]).sort()).toEqual([
      ['shard-000-m', 'fast', 'serving'],
      ['shard-001', 'slow', 'serving'],
    ]);
    expect(report.replicas.find((replica) => replica.shardId === 'shard-000-m')?.range).toEqual({
      lo: SHARD_0.range.lo.toString(),
      hi: SHARD_0.range.hi.toString(),
    });
    // The old directories are gone: fast holds the merged shard only, slow the moved one.
    expect(replicaDirs(node, 'fast').map((dir) => dir.split('~')[0])).toEqual(['shard-000-m']);
    expect(replicaDirs(node, 'slow').map((dir) => dir.split('~')[0])).toEqual(['shard-001']);

    // Every write acknowledged during the operations is there.
    expect(acked.size).toBeGreaterThan(10);
    for (const [key, token] of acked) {
      const response = await fetch(`${keyUrl(node.url, key)}?token=${token}`);
      expect(await response.text()).toBe(`d-${key.slice('during-'.length)}`);
    }
  });

  it('refuses operations that make no sense, with the reason', async () => {
    expect(
      await post(node.url, '/v1/admin/shards/shard-001/split', { at: '0', left: 'x', right: 'y' }),
    ).toMatchObject({ status: 400 });
    expect(await post(node.url, '/v1/admin/shards/nope/tier', { tier: 'fast' })).toMatchObject({
      status: 404,
    });
    expect(await post(node.url, '/v1/admin/shards/shard-001/tier', { tier: 'slow' })).toMatchObject({
      status: 409,
    });
    expect(
      await post(node.url, '/v1/admin/shards', { shardId: 'overlap', lo: '0', hi: '10', tier: 'fast' }),
    ).toMatchObject({ status: 409 });
  });

  it('follows the shard map: splits on assignment, ignores stale epochs, retires and drops what it no longer holds', async () => {
    const base = (
      shardId: string,
      range: { lo: bigint; hi: bigint },
      epoch: number,
      replicas: ShardStateV1['replicas'],
      status: ShardStateV1['status'] = 'active',
    ): ShardStateV1 => ({
      eventId: `${shardId}-${epoch}-${status}`,
      shardId,
      epoch,
      range: { lo: range.lo.toString(), hi: range.hi.toString() },
      status,
      replicationFactor: 1,
      replicas,
      cause: 'test',
      atMs: Date.now(),
    });
    const mine = [{ nodeId: 'ops-node', role: 'primary' as const, tier: 'fast' as const }];
    const elsewhere = [{ nodeId: 'other-node', role: 'primary' as const, tier: 'fast' as const }];
    const quarter = SHARD_0.range.lo + (SHARD_0.range.hi - SHARD_0.range.lo) / 4n;
    const before = await contentHashOf(node.url, 'shard-000-m');

    // shard-000-m is split by the map into two shards on this node, published together.
    await gateway.publishAll('shardmap', [
      base('shard-000-m', SHARD_0.range, 5, mine, 'retired'),
      base('map-left', { lo: SHARD_0.range.lo, hi: quarter }, 5, mine),
      base('map-right', { lo: quarter, hi: SHARD_0.range.hi }, 5, mine),
    ]);
    await eventually(async () => {
      const report = await shardsOf(node.url);
      expect(
        report.replicas
          .filter((replica) => replica.state === 'serving')
          .map((replica) => replica.shardId)
          .sort(),
      ).toEqual(['map-left', 'map-right', 'shard-001']);
    });
    const [left, right] = await Promise.all([
      contentHashOf(node.url, 'map-left'),
      contentHashOf(node.url, 'map-right'),
    ]);
    expect(left.entries + right.entries).toBe(before.entries);

    // A stale epoch for map-left (moving it to slow) is ignored.
    await gateway.publish(
      'shardmap',
      base('map-left', { lo: SHARD_0.range.lo, hi: quarter }, 4, [{ ...mine[0]!, tier: 'slow' }]),
    );
    // shard-001 goes to another node: retired here, then dropped after the grace period.
    await gateway.publish('shardmap', base('shard-001', SHARD_1.range, 7, elsewhere));
    await eventually(async () => {
      const report = await shardsOf(node.url);
      expect(report.replicas.map((replica) => replica.shardId).sort()).toEqual(['map-left', 'map-right']);
    });
    const report = await shardsOf(node.url);
    expect(report.replicas.find((replica) => replica.shardId === 'map-left')?.tier).toBe('fast');
    expect(replicaDirs(node, 'slow')).toEqual([]);
  });
});
