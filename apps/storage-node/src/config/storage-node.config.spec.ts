import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@shardcast/platform';
import { storageNodeConfigShape } from './storage-node.config.js';

describe('storage-node config', () => {
  it('parses the data-plane variables', () => {
    const config = loadConfig(storageNodeConfigShape, {
      PEERS: 'node-2=http://127.0.0.1:4101',
      STATIC_SHARDS: 'shard-000,shard-002',
      KV_LOG_PARTITIONS: '64',
      FOLLOW_SHARDMAP: 'false',
    });
    expect(config.PEERS).toEqual([{ nodeId: 'node-2', url: 'http://127.0.0.1:4101' }]);
    expect(config.STATIC_SHARDS).toEqual({ kind: 'list', shardIds: ['shard-000', 'shard-002'] });
    expect(config.KV_LOG_PARTITIONS).toBe(64);
    expect(config.FOLLOW_SHARDMAP).toBe(false);
    expect(loadConfig(storageNodeConfigShape, {}).STATIC_SHARDS).toEqual({ kind: 'all' });
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig(storageNodeConfigShape, { PEERS: 'nope', STATIC_SHARDS: 'bad id', PRODUCERS: '0' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
        'PEERS',
        'PRODUCERS',
        'STATIC_SHARDS',
      ]);
    }
  });
});
