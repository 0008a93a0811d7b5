import { config } from './instrumentation.js';
import 'reflect-metadata';
import { bootstrapService } from '@shardcast/platform';
import { StorageNodeModule } from './storage-node.module.js';
import { storageNodeConfigShape } from './config/storage-node.config.js';

await bootstrapService({
  service: 'storage-node',
  version: '0.1.0',
  description:
    'A storage node: shard replicas on tiered LMDB, the KV API, checkpoints. Consumes `kv.log`, `shardmap`, `jobs`; publishes `kv.log`, `access`, `node-health`.',
  config,
  configShape: storageNodeConfigShape,
  module: (logger) => StorageNodeModule.register(config, logger),
  // Values and chunks are checked against their own limits by route; this is the ceiling.
  bodyLimit: Math.max(config.MAX_VALUE_BYTES, config.MAX_BATCH_BYTES) + 64 * 1024,
});
