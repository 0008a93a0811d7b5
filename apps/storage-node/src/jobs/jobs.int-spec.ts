import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialShards, type JobIssuedV1, type JobResultV1 } from '@shardcast/contracts';
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
  putValue,
  removeDir,
  shardsOf,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';

describe('jobs from the control plane', () => {
  const prefix = `${uniqueName('jobs')}.`;
  const schema = uniqueName('jobs');
  let gateway: KafkaGateway;
  let node: InProcessNode;
  let handle: ConsumerHandle;
  const results: JobResultV1[] = [];

  const issue = (jobId: string, job: Partial<JobIssuedV1>): JobIssuedV1 => ({
    kind: 'issued',
    eventId: `${jobId}-issued`,
    jobId,
    type: 'split',
    shardId: 'shard-000',
    epoch: 0,
    targetNode: 'job-node',
    params: {},
    reason: 'test',
    issuedAtMs: Date.now(),
    ...job,
  });
  const statusesOf = (jobId: string): string[] =>
    results.filter((result) => result.jobId === jobId).map((result) => result.status);

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: 2 });
    handle = await gateway.consume({
      topic: 'jobs',
      groupId: `${prefix}results`,
      handle: async (events) => {
        for (const { value } of events) if (value.kind === 'result') results.push(value);
      },
    });
    node = await startNodeInProcess({ prefix, schema, nodeId: 'job-node', partitions: 2, shardCount: 2 });
    for (let index = 0; index < 100; index += 1) await putValue(node.url, `k${index}`, `v${index}`);
  });

  afterAll(async () => {
    await node?.close();
    await handle?.stop();
    if (node !== undefined) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('runs a split job and reports accepted then succeeded; rejects stale epochs, bad params and ignores other nodes’ jobs', async () => {
    const range = initialShards(2)[0]!.range;
    const at = ((range.lo + range.hi) / 2n).toString();
    await gateway.publish('jobs', issue('split-1', { params: { at, left: 'job-a', right: 'job-b' } }));
    await eventually(() => expect(statusesOf('split-1')).toEqual(['accepted', 'succeeded']), {
      timeoutMs: 30_000,
    });
    const halves = (await shardsOf(node.url)).replicas.filter((replica) =>
      replica.shardId.startsWith('job-'),
    );
    expect(halves.map((replica) => replica.shardId).sort()).toEqual(['job-a', 'job-b']);

    await gateway.publishAll('jobs', [
      // job-a is at epoch 1 now: a job planned against epoch 0 is stale.
      issue('move-stale', { type: 'tier-move', shardId: 'job-a', epoch: 0, params: { tier: 'slow' } }),
      issue('move-bad', { type: 'tier-move', shardId: 'job-a', epoch: 1, params: { tier: 'tape' } }),
      issue('move-other', {
        type: 'tier-move',
        shardId: 'job-a',
        epoch: 1,
        params: { tier: 'slow' },
        targetNode: 'someone-else',
      }),
      issue('move-ok', { type: 'tier-move', shardId: 'job-b', epoch: 1, params: { tier: 'slow' } }),
    ]);
    await eventually(
      () => {
        expect(statusesOf('move-stale')).toEqual(['rejected']);
        expect(statusesOf('move-bad')).toEqual(['accepted', 'rejected']);
        expect(statusesOf('move-ok')).toEqual(['accepted', 'succeeded']);
      },
      { timeoutMs: 30_000 },
    );
    expect(results.find((result) => result.jobId === 'move-stale')?.detail).toMatch(/stale epoch/);
    expect(statusesOf('move-other')).toEqual([]);
    expect((await shardsOf(node.url)).replicas.find((replica) => replica.shardId === 'job-b')?.tier).toBe(
      'slow',
    );
  });
});
