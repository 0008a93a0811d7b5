import { startTracing } from '@shardcast/platform';
import { loadStorageNodeConfig } from './config/storage-node.config.js';

// Imported first by main.ts: config is parsed once, and tracing starts before anything else loads.
export const config = loadStorageNodeConfig();
startTracing({
  serviceName: 'storage-node',
  exporter: config.OTEL_TRACES_EXPORTER,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
});
