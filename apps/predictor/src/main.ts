import { config } from './instrumentation.js';
import 'reflect-metadata';
import { bootstrapService } from '@shardcast/platform';
import { PredictorModule } from './predictor.module.js';
import { predictorConfigShape } from './config/predictor.config.js';

await bootstrapService({
  service: 'predictor',
  version: '0.1.0',
  description:
    'Forecasts per shard with resharding scores (RRS), failure risk per node, recovery profiles. Consumes `heat` and `node-health`; publishes `forecast`, `node-risk`, `recovery-profile`.',
  config,
  configShape: predictorConfigShape,
  module: (logger) => PredictorModule.register(config, logger),
});
