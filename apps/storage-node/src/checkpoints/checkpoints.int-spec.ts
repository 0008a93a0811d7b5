import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  contentHashOf,
  freePort,
  type InProcessNode,
  keyUrl,
  putValue,
  removeDir,
  runConcurrently,
  shardsOf,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';
import { FileChunkStore } from './file-chunk.store.js';

const PARTITIONS = 4;

interface Created {
  checkpointId: string;
  chunks: number;
  contentHash: string;
  locations: Record<string, string[]>;
}

interface RestoreAnswer {
  report: { chunks: number; warnings: unknown[] };
  error: { code: string };
  failure: { detail: { attempts: { nodeId: string }[] } };
}

async function post<T = RestoreAnswer>(
  base: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('checkpoints on backup nodes, and restores', () => {
  const prefix = `${uniqueName('ckpt')}.`;
  const schema = uniqueName('ckpt');
  let gateway: KafkaGateway;
  const nodes: Record<'primary' | 'backupB' | 'backupC', InProcessNode> = {} as never;

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: PARTITIONS });
    const ports = { primary: await freePort(), backupB: await freePort(), backupC: await freePort() };
    const ids = { primary: 'node-p', backupB: 'node-b', backupC: 'node-c' } as const;
    const peersOf = (self: keyof typeof ids): string =>
      (Object.keys(ids) as (keyof typeof ids)[])
        .filter((name) => name !== self)
        .map((name) => `${ids[name]}=http://127.0.0.1:${ports[name]}`)
        .join(',');
    for (const name of ['primary', 'backupB', 'backupC'] as const) {
      nodes[name] = await startNodeInProcess({
        prefix,
        // One schema: the nodes share the checkpoint catalog.
        schema,
        nodeId: ids[name],
        partitions: PARTITIONS,
        shardCount: 2,
        extra: {
          PORT: String(ports[name]),
          PEERS: peersOf(name),
          STATIC_SHARDS: name === 'primary' ? 'all' : 'none',
        },
      });
    }
    await runConcurrently(3_000, 32, async (index) => {
      expect(
        (await putValue(nodes.primary.url, `doc-${index}`, `body of document ${index} `.repeat(8))).status,
      ).toBe(200);
    });
    await eventually(async () => {
      for (const replica of (await shardsOf(nodes.primary.url)).replicas) expect(replica.lag).toBe(0);
    });
  });

  afterAll(async () => {
    await Promise.allSettled(Object.values(nodes).map((node) => node.close()));
    for (const node of Object.values(nodes)) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  let checkpoint: Created;

  it('checkpoints a shard to two backup nodes (never the replica holder) and verifies it', async () => {
    const created = await post<Created>(nodes.primary.url, '/v1/admin/checkpoints', {
      shardId: 'shard-000',
      tier: 'fast',
      kind: 'fast-restore',
    });
    expect(created.status).toBe(201);
    checkpoint = created.body;
    expect(checkpoint.chunks).toBeGreaterThan(1);
    for (const holders of Object.values(checkpoint.locations))
      expect([...holders].sort()).toEqual(['node-b', 'node-c']);
    expect(checkpoint.contentHash).toBe((await contentHashOf(nodes.primary.url, 'shard-000')).contentHash);

    const verify = await (
      await fetch(`${nodes.primary.url}/v1/admin/checkpoints/${checkpoint.checkpointId}/verify`)
    ).json();
    expect(verify).toMatchObject({ status: 'ok', chunks: checkpoint.chunks, warnings: [] });

    // A second checkpoint of unchanged data stores no new chunk.
    const again = await post<Created & { chunksUploaded: number }>(
      nodes.primary.url,
      '/v1/admin/checkpoints',
      { shardId: 'shard-000', tier: 'fast' },
    );
    expect(again.body).toMatchObject({ chunksUploaded: 0, contentHash: checkpoint.contentHash });
  });

  it('restores on another node with the same content hash, then catches up from the log', async () => {
    const restored = await post(nodes.backupB.url, '/v1/admin/restores', {
      checkpointId: checkpoint.checkpointId,
    });
    expect(restored.status).toBe(200);
    expect(restored.body.report).toMatchObject({ chunks: checkpoint.chunks, warnings: [] });
    const content = await contentHashOf(nodes.backupB.url, 'shard-000');
    expect(content.contentHash).toBe(checkpoint.contentHash);
    expect(content).toEqual(await contentHashOf(nodes.primary.url, 'shard-000'));

    // Writes after the checkpoint reach the restored replica through kv.log.
    const keys = Array.from({ length: 200 }, (_, index) => `late-${index}`);
    const tokens = new Map<string, string>();
    for (const key of keys)
      tokens.set(
        key,
        ((await (await putValue(nodes.primary.url, key, `late ${key}`)).json()) as { token: string }).token,
      );
    for (const key of keys) {
      const response = await fetch(`${keyUrl(nodes.backupB.url, key)}?token=${tokens.get(key)}`);
      // A key of shard-001 is forwarded to the primary: backupB holds shard-000 only.
      expect(await response.text()).toBe(`late ${key}`);
    }
    await eventually(async () =>
      expect((await contentHashOf(nodes.backupB.url, 'shard-000')).contentHash).toBe(
        (await contentHashOf(nodes.primary.url, 'shard-000')).contentHash,
      ),
    );
  });

  it('reports a flipped byte in a stored chunk: restored from the good copy with a warning, refused when no copy is good', async () => {
    const [hash] = Object.keys(checkpoint.locations) as [string];
    // A restore tries the copies in the listed order: the first one is corrupted first.
    const [firstId, secondId] = checkpoint.locations[hash] as [string, string];
    const byId: Record<string, InProcessNode> = { 'node-b': nodes.backupB, 'node-c': nodes.backupC };
    const [first, second] = [byId[firstId]!, byId[secondId]!];
    const flip = (node: InProcessNode): void => {
      const path = new FileChunkStore(join(node.dataDir, 'fast')).path(hash);
      const blob = readFileSync(path);
      blob[Math.floor(blob.length / 2)]! ^= 0x01;
      writeFileSync(path, blob);
    };

    flip(first);
    const verify = (await (
      await fetch(`${nodes.primary.url}/v1/admin/checkpoints/${checkpoint.checkpointId}/verify`)
    ).json()) as { status: string; warnings: unknown[] };
    expect(verify.status).toBe('ok');
    expect(verify.warnings).toEqual([
      expect.objectContaining({
        kind: 'chunk-copy-bad',
        chunkHash: hash,
        nodeId: firstId,
        restoredFrom: secondId,
      }),
    ]);
    const restoredWithWarning = await post(nodes.backupC.url, '/v1/admin/restores', {
      checkpointId: checkpoint.checkpointId,
    });
    expect(restoredWithWarning.status).toBe(200);
    expect(restoredWithWarning.body.report.warnings).toEqual([
      expect.objectContaining({
        chunkHash: hash,
        nodeId: firstId,
        problem: expect.stringMatching(/hash-mismatch|undecodable/),
      }),
    ]);
    expect((await contentHashOf(nodes.backupC.url, 'shard-000')).contentHash).toEqual(
      expect.stringMatching(/^[0-9a-f]{64}$/),
    );
    await fetch(`${nodes.backupC.url}/v1/admin/shards/shard-000`, { method: 'DELETE' });

    flip(second);
    const corrupt = await (
      await fetch(`${nodes.primary.url}/v1/admin/checkpoints/${checkpoint.checkpointId}/verify`)
    ).json();
    expect(corrupt).toMatchObject({ status: 'corrupt', error: { code: 'chunk-unrecoverable' } });
    const refused = await post(nodes.backupC.url, '/v1/admin/restores', {
      checkpointId: checkpoint.checkpointId,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('chunk-unrecoverable');
    expect(refused.body.failure.detail.attempts.map((attempt) => attempt.nodeId).sort()).toEqual([
      'node-b',
      'node-c',
    ]);
    // Nothing half-restored is left behind.
    expect((await shardsOf(nodes.backupC.url)).replicas).toEqual([]);
  });
});
