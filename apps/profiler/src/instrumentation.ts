import { startTracing } from '@shardcast/platform';
import { loadProfilerConfig } from './config/profiler.config.js';

// Imported first by main.ts: config is parsed once, and tracing starts before anything else loads.
export const config = loadProfilerConfig();
startTracing({
  serviceName: 'profiler',
  exporter: config.OTEL_TRACES_EXPORTER,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
});
