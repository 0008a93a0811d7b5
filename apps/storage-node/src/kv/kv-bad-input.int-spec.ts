import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_META_HEADER } from '../kv/domain/index.js';
import { KV_LOG_TOPIC, partitionForKey, topicName } from '@shardcast/contracts';
import { type KafkaGateway } from '@shardcast/platform';
import {
  dropSchema,
  eventually,
  gatewayWithTopics,
  integrationEnv,
  uniqueName,
} from '@shardcast/platform/testing';
import {
  bareRequest,
  type InProcessNode,
  putValue,
  removeDir,
  startNodeInProcess,
} from '../testing/storage-node.harness.js';

const PARTITIONS = 2;
const MAX_VALUE = 1024;

interface ErrorBody {
  error: { status: number; code: string; message: string };
}

describe('storage-node KV API: bad input', () => {
  const prefix = `${uniqueName('kvbad')}.`;
  const schema = uniqueName('kvbad');
  let gateway: KafkaGateway;
  let node: InProcessNode;

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix, { kvLogPartitions: PARTITIONS });
    node = await startNodeInProcess({
      prefix,
      schema,
      nodeId: 'node-bad',
      partitions: PARTITIONS,
      shardCount: 2,
      extra: {
        MAX_VALUE_BYTES: String(MAX_VALUE),
        MAX_BATCH_BYTES: String(16 * 1024),
        MAX_BATCH_OPERATIONS: '10',
      },
    });
  });

  afterAll(async () => {
    await node?.close();
    if (node !== undefined) removeDir(node.dataDir);
    await gateway?.disconnect();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  async function expectError(response: Response, status: number, message: RegExp): Promise<void> {
    const body = (await response.json()) as ErrorBody;
    expect({ status: response.status, message: body.error.message }).toEqual({
      status,
      message: expect.stringMatching(message),
    });
    expect(body.error.status).toBe(status);
    expect(body.error.code).toEqual(expect.any(String));
  }

  const raw = (path: string, init?: RequestInit): Promise<Response> => fetch(`${node.url}${path}`, init);

  it('answers every malformed request with a 4xx in the one error format, saying why', async () => {
    const bare = await bareRequest(`${node.url}/v1/kv/nobody`, 'PUT');
    expect(bare.status).toBe(400);
    expect((JSON.parse(bare.body) as ErrorBody).error.message).toMatch(/missing body/);
    await expectError(await putValue(node.url, 'big', Buffer.alloc(MAX_VALUE + 1)), 413, /limit is 1024/);
    await expectError(await putValue(node.url, 'huge', Buffer.alloc(200 * 1024)), 413, /too large/i);
    await expectError(await raw('/v1/kv/a%zz'), 400, /malformed percent-encoding/);
    await expectError(await raw('/v1/kv/a%2'), 400, /malformed percent-encoding/);
    await expectError(await raw(`/v1/kv/${'k'.repeat(1971)}`), 400, /longer than 1970 bytes/);
    await expectError(await raw('/v1/kv/'), 400, /empty/);
    await expectError(
      await putValue(node.url, 'c', 'v', { 'if-match': 'not-a-version' }),
      400,
      /not a version/,
    );
    await expectError(await putValue(node.url, 'c', 'v', { 'if-match': 'W/"0:1"' }), 400, /weak/);
    await expectError(
      await putValue(node.url, 'c', 'v', { 'if-match': '"0:1"', 'if-none-match': '*' }),
      400,
      /cannot be combined/,
    );
    await expectError(await putValue(node.url, 'c', 'v', { 'if-none-match': '"0:1"' }), 400, /only "\*"/);
    await expectError(
      await raw('/v1/kv/c', { method: 'DELETE', headers: { 'if-none-match': '*' } }),
      400,
      /DELETE/,
    );
    await expectError(await raw('/v1/kv/c?token=%%%'), 400, /consistency token/);
    await expectError(await raw('/v1/kv/c?token=MDow&token=MDox'), 400, /more than once/);
    await expectError(
      await raw('/v1/kv/c', { headers: { 'x-consistency-token': 'Zm9v' } }),
      400,
      /partition:offset/,
    );
    await expectError(await raw('/v1/kv/c?consistency=linearizable'), 400, /eventual.*strong/);

    const batch = (body: string, contentType = 'application/json'): Promise<Response> =>
      raw('/v1/kv', { method: 'POST', body, headers: { 'content-type': contentType } });
    await expectError(await batch('{"operations": [', 'application/json'), 400, /not valid JSON/);
    await expectError(await batch('operations', 'text/plain'), 400, /JSON body/);
    await expectError(await batch('{"operations": []}'), 400, /operations/);
    await expectError(await batch('{"operations": [{"op": "put", "key": "a"}]}'), 400, /value/);
    await expectError(
      await batch('{"operations": [{"op": "put", "key": "a", "keyBase64": "YQ==", "value": "v"}]}'),
      400,
      /exactly one of key/,
    );
    await expectError(
      await batch('{"operations": [{"op": "delete", "key": "a", "value": "v"}]}'),
      400,
      /no value/,
    );
    await expectError(
      await batch('{"operations": [{"op": "put", "keyBase64": "not base64!", "value": "v"}]}'),
      400,
      /base64/,
    );
    await expectError(
      await batch(
        JSON.stringify({ operations: [{ op: 'put', key: 'a', value: 'x'.repeat(MAX_VALUE + 1) }] }),
      ),
      400,
      /limit is 1024/,
    );
    await expectError(
      await batch(
        JSON.stringify({
          operations: Array.from({ length: 11 }, (_, i) => ({ op: 'delete', key: `k${i}` })),
        }),
      ),
      400,
      /at most 10/,
    );
    await expectError(
      await batch('{"operations": [{"op": "put", "key": "a", "value": "v", "extra": 1}]}'),
      400,
      /extra|Unrecognized/i,
    );
    await expectError(
      await raw('/v1/admin/shards/shard-000/split', {
        method: 'POST',
        body: '{"at":"x"}',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      /at/,
    );
  });

  it('keeps serving: binary keys, JSON values taken as bytes, empty values, batches', async () => {
    const binary = await raw('/v1/kv/%00%FF%2F%25', { method: 'PUT', body: 'bin' });
    expect(binary.status).toBe(200);
    const { token } = (await binary.json()) as { token: string };
    const read = await raw(`/v1/kv/%00%FF%2F%25?token=${token}`);
    expect(await read.text()).toBe('bin');

    const json = await raw('/v1/kv/json', {
      method: 'PUT',
      body: '{"not": "parsed"',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(200);
    const empty = await raw('/v1/kv/empty', { method: 'PUT', body: '' });
    expect(empty.status).toBe(200);

    const batch = await raw('/v1/kv', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operations: [
          { op: 'put', key: 'b1', value: 'one' },
          {
            op: 'put',
            keyBase64: Buffer.from([0, 1]).toString('base64'),
            valueBase64: Buffer.from([255]).toString('base64'),
          },
          { op: 'delete', key: 'json' },
        ],
      }),
    });
    expect(batch.status).toBe(200);
    const results = ((await batch.json()) as { results: { status: string; token: string }[] }).results;
    expect(results.map((result) => result.status)).toEqual(['applied', 'applied', 'applied']);
    expect(await (await raw(`/v1/kv/b1?token=${results[0]!.token}`)).text()).toBe('one');
    expect(Buffer.from(await (await raw(`/v1/kv/%00%01?token=${results[1]!.token}`)).arrayBuffer())).toEqual(
      Buffer.from([255]),
    );
    expect((await raw(`/v1/kv/json?token=${results[2]!.token}`)).status).toBe(404);
    expect(
      (await raw(`/v1/kv/empty?token=${((await empty.json()) as { token: string }).token}`)).status,
    ).toBe(200);
  });

  it('skips a kv.log message that is not a log record and keeps applying', async () => {
    const key = 'after-garbage';
    const partition = partitionForKey(key, PARTITIONS);
    await gateway.sendRaw(topicName(KV_LOG_TOPIC.name, prefix), [
      { key: 'garbage', value: 'no meta header', partition },
      {
        key: 'garbage2',
        value: 'bad meta',
        partition,
        headers: { [LOG_META_HEADER]: Buffer.from([9, 9, 9]) },
      },
    ]);
    const response = await putValue(node.url, key, 'fine');
    const { token } = (await response.json()) as { token: string };
    await eventually(async () =>
      expect(await (await raw(`/v1/kv/${key}?token=${token}`)).text()).toBe('fine'),
    );
    expect(await (await raw('/v1/kv/garbage')).text()).toMatch(/not_found/);
    const health = await raw('/health');
    expect(health.status).toBe(200);
  });
});
