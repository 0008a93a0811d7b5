import { config } from './instrumentation.js';
import 'reflect-metadata';
import { bootstrapService } from '@shardcast/platform';
import { ShardManagerModule } from './shard-manager.module.js';
import { shardManagerConfigShape } from './config/shard-manager.config.js';

await bootstrapService({
  service: 'shard-manager',
  version: '0.1.0',
  description:
    'The authoritative shard map (event-sourced in Postgres), placement and the planner. Publishes `shardmap` and `jobs`.',
  config,
  configShape: shardManagerConfigShape,
  module: (logger) => ShardManagerModule.register(config, logger),
});
