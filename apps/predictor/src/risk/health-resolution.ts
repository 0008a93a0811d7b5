import type { PredictorConfig } from '../config/predictor.config.js';

/**
 * The time resolution the risk models read health at: one aggregate per minute (or per
 * sample interval, when nodes report less often). Failures build up over hours, so finer
 * samples add volume, not signal; training and scoring share it so their features match.
 */
export function healthBucketMs(config: Pick<PredictorConfig, 'HEALTH_SAMPLE_INTERVAL_MS'>): number {
  return Math.max(60_000, config.HEALTH_SAMPLE_INTERVAL_MS);
}
