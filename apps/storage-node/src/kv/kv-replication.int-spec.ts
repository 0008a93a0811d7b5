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
  type InProcessNode,
  keyUrl,
  laterVersion,
  putValue,
  removeDir,
  runConcurrently,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';

const PARTITIONS = 4;

describe('storage-node data plane: two nodes holding the same shards', () => {
  const prefix = `${uniqueName('kvrep')}.`;
  const schema = uniqueName('kvrep');
  let gateway: KafkaGateway;
  const nodes: InProcessNode[] = [];

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: PARTITIONS });
    for (const nodeId of ['node-a', 'node-b']) {
      nodes.push(await startNodeInProcess({ prefix, schema, nodeId, partitions: PARTITIONS, shardCount: 4 }));
    }
  });

  afterAll(async () => {
    await Promise.allSettled(nodes.map((node) => node.close()));
    for (const node of nodes) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('takes 10,000 writes from concurrent clients, then every key reads back its last acknowledged value on both nodes', async () => {
    const keys = 1_500;
    const writes = 10_000;
    const last = new Map<string, { version: string; value: string }>();
    await runConcurrently(writes, 64, async (index) => {
      const key = `user/${index % keys}`;
      const value = `value-${index}-${'x'.repeat(index % 50)}`;
      // Alternate nodes: any node takes any write.
      const node = nodes[index % 2]!;
      const response = await putValue(node.url, key, value);
      expect(response.status).toBe(200);
      const ack = (await response.json()) as { version: string; token: string };
      const known = last.get(key);
      if (known === undefined || laterVersion(ack.version, known.version))
        last.set(key, { version: ack.version, value });
    });
    expect(last.size).toBe(keys);

    for (const node of nodes) {
      await eventually(
        async () => {
          const mismatches: string[] = [];
          await runConcurrently(keys, 32, async (index) => {
            const key = `user/${index}`;
            const response = await fetch(keyUrl(node.url, key));
            const body = await response.text();
            const expected = last.get(key)!;
            if (
              response.status !== 200 ||
              body !== expected.value ||
              response.headers.get('etag') !== `"${expected.version}"`
            ) {
              mismatches.push(
                `${key}: ${response.status} ${body.slice(0, 40)} ${response.headers.get('etag')} ≠ ${expected.value.slice(0, 40)} ${expected.version}`,
              );
            }
          });
          expect(mismatches.slice(0, 5)).toEqual([]);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    }
  });

  it('reads its own write on the other node with the token, and with consistency=strong', async () => {
    const [a, b] = nodes as [InProcessNode, InProcessNode];
    for (let round = 0; round < 20; round += 1) {
      const response = await putValue(a.url, `ryw-${round}`, `v${round}`);
      const { token } = (await response.json()) as { token: string };
      const read = await fetch(`${keyUrl(b.url, `ryw-${round}`)}?token=${token}`);
      expect(read.status).toBe(200);
      expect(await read.text()).toBe(`v${round}`);
      await putValue(b.url, `strong-${round}`, `s${round}`);
      const strong = await fetch(`${keyUrl(a.url, `strong-${round}`)}?consistency=strong`);
      expect(await strong.text()).toBe(`s${round}`);
    }
  });

  it('decides conditional writes at apply time: one of two racing creates wins, the other gets 412', async () => {
    const [a, b] = nodes as [InProcessNode, InProcessNode];
    const [first, second] = await Promise.all([
      putValue(a.url, 'race', 'from-a', { 'if-none-match': '*' }),
      putValue(b.url, 'race', 'from-b', { 'if-none-match': '*' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
    const winner = first.status === 200 ? 'from-a' : 'from-b';
    const winnerVersion = first.status === 200 ? first.headers.get('etag') : second.headers.get('etag');
    const loser = first.status === 412 ? first : second;
    expect(((await loser.json()) as { error: { code: string } }).error.code).toBe('precondition_failed');
    expect(loser.headers.get('etag')).toBe(winnerVersion);

    const update = await putValue(b.url, 'race', 'updated', { 'if-match': winnerVersion! });
    expect(update.status).toBe(200);
    const stale = await putValue(a.url, 'race', 'stale', { 'if-match': winnerVersion! });
    expect(stale.status).toBe(412);
    const { token } = (await update.json()) as { token: string };
    const read = await fetch(`${keyUrl(a.url, 'race')}?token=${token}`);
    expect(await read.text()).toBe('updated');
    expect(winner).toMatch(/^from-/);
  });
});
