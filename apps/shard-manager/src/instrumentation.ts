import { startTracing } from '@shardcast/platform';
import { loadShardManagerConfig } from './config/shard-manager.config.js';

// Imported first by main.ts: config is parsed once, and tracing starts before anything else loads.
export const config = loadShardManagerConfig();
startTracing({
  serviceName: 'shard-manager',
  exporter: config.OTEL_TRACES_EXPORTER,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
});
