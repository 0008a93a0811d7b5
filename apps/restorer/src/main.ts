import { config } from './instrumentation.js';
import 'reflect-metadata';
import { bootstrapService } from '@shardcast/platform';
import { RestorerModule } from './restorer.module.js';
import { restorerConfigShape } from './config/restorer.config.js';

await bootstrapService({
  service: 'restorer',
  version: '0.1.0',
  description:
    'Detects node failures and runs recoveries: restore jobs and their progress. Consumes `node-health`; publishes `jobs` and `restore-progress`.',
  config,
  configShape: restorerConfigShape,
  module: (logger) => RestorerModule.register(config, logger),
});
