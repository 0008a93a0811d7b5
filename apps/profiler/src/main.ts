import { config } from './instrumentation.js';
import 'reflect-metadata';
import { bootstrapService } from '@shardcast/platform';
import { ProfilerModule } from './profiler.module.js';
import { profilerConfigShape } from './config/profiler.config.js';

await bootstrapService({
  service: 'profiler',
  version: '0.1.0',
  description:
    'Access pattern analysis: time-decayed heat per shard and hash bucket, hot/cold classes, hot keys. Consumes `access`, publishes `heat`.',
  config,
  configShape: profilerConfigShape,
  module: (logger) => ProfilerModule.register(config, logger),
});
