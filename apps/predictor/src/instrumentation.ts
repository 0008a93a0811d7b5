import { startTracing } from '@shardcast/platform';
import { loadPredictorConfig } from './config/predictor.config.js';

// Imported first by main.ts: config is parsed once, and tracing starts before anything else loads.
export const config = loadPredictorConfig();
startTracing({
  serviceName: 'predictor',
  exporter: config.OTEL_TRACES_EXPORTER,
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
});
