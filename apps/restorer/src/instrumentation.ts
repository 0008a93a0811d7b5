import { startTracing } from '@shardcast/platform';
import { loadRestorerConfig } from './config/restorer.config.js';

// Imported first by main.ts: config is parsed once, and tracing starts before anything else loads.
export const config = loadRestorerConfig();
startTracing({
  serviceName: 'restorer',
  exporter: config.OTEL_TRACES_EXPORTER,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
});
