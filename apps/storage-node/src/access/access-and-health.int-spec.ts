import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessSummaryV1, type NodeHealthEventV1 } from '@shardcast/contracts';
import { type ConsumerHandle, type KafkaGateway } from '@shardcast/platform';
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
  putValue,
  removeDir,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';

describe('access summaries and node health', () => {
  const prefix = `${uniqueName('telemetry')}.`;
  const schema = uniqueName('telemetry');
  let gateway: KafkaGateway;
  let node: InProcessNode;
  const handles: ConsumerHandle[] = [];
  const summaries: AccessSummaryV1[] = [];
  const health: NodeHealthEventV1[] = [];

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: 2 });
    handles.push(
      await gateway.consume({
        topic: 'access',
        groupId: `${prefix}reader-access`,
        handle: async (events) =>
          void summaries.push(...events.map((event) => event.value as AccessSummaryV1)),
      }),
    );
    handles.push(
      await gateway.consume({
        topic: 'nodeHealth',
        groupId: `${prefix}reader-health`,
        handle: async (events) => void health.push(...events.map((event) => event.value)),
      }),
    );
    node = await startNodeInProcess({
      prefix,
      schema,
      nodeId: 'node-t',
      partitions: 2,
      shardCount: 2,
      extra: { ACCESS_SUMMARY_INTERVAL_MS: '250', NODE_HEALTH_INTERVAL_MS: '400' },
    });
  });

  afterAll(async () => {
    await node?.close();
    await Promise.all(handles.map((handle) => handle.stop()));
    if (node !== undefined) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('publishes per-shard summaries of the reads and writes it served, with a hash sample and the top keys', async () => {
    for (let index = 0; index < 30; index += 1) await putValue(node.url, `hot-${index % 3}`, 'value-bytes');
    const { token } = (await (await putValue(node.url, 'hot-0', 'value-bytes')).json()) as { token: string };
    for (let index = 0; index < 50; index += 1) await fetch(`${keyUrl(node.url, 'hot-0')}?token=${token}`);

    await eventually(() => {
      const total = (field: 'reads' | 'writes'): number =>
        summaries.reduce((sum, summary) => sum + summary[field], 0);
      expect(total('writes')).toBe(31);
      expect(total('reads')).toBe(50);
    });
    const reads = summaries.filter((summary) => summary.reads > 0);
    expect(reads[0]).toMatchObject({
      kind: 'summary',
      node: 'node-t',
      shardId: expect.stringMatching(/^shard-00[01]$/),
      readBytes: expect.any(Number),
    });
    expect(reads.flatMap((summary) => summary.topKeys)).toContainEqual(
      expect.objectContaining({ key: 'hot-0' }),
    );
    expect(reads.flatMap((summary) => summary.sampleHashes).length).toBeGreaterThan(0);
  });

  it('publishes node-health samples measured on its tiers, and that it joined', async () => {
    await eventually(() => {
      expect(health.some((event) => event.kind === 'lifecycle' && event.change === 'joined')).toBe(true);
      const samples = health.filter((event) => event.kind === 'sample');
      expect(samples.length).toBeGreaterThan(1);
      const last = samples.at(-1)!;
      expect(last).toMatchObject({ nodeId: 'node-t', applyLag: 0 });
      if (last.kind !== 'sample') throw new Error('not a sample');
      expect(last.disk.writeP50Ms).toBeGreaterThan(0);
      expect(last.disk.readP50Ms).toBeGreaterThan(0);
      expect(last.memoryBytes).toBeGreaterThan(0);
    });
  });
});
