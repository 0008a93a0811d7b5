import type { PredictorConfig } from '../config/predictor.config.js';
import { seasonLengthsFor } from '../forecasting/domain/index.js';
import type { LstmArchitecture } from '../forecasting/lstm/lstm-network.js';

/** The network's shape for this configuration: the daily season (when the interval divides a day) as its seasonal baseline. */
export function lstmArchitectureFor(config: PredictorConfig): LstmArchitecture {
  const daily = seasonLengthsFor(config.FORECAST_INTERVAL_MS)[0];
  return {
    lookback: config.LSTM_LOOKBACK_STEPS,
    horizon: config.FORECAST_HORIZON_STEPS,
    units: config.LSTM_UNITS,
    ...(daily !== undefined ? { seasonLength: daily, seasons: 3 } : {}),
  };
}

/** Whether a stored network has the shape this configuration trains (and so can serve it). */
export function sameArchitecture(a: LstmArchitecture, b: LstmArchitecture): boolean {
  return (
    a.lookback === b.lookback &&
    a.horizon === b.horizon &&
    a.units === b.units &&
    a.seasonLength === b.seasonLength &&
    (a.seasons ?? 3) === (b.seasons ?? 3)
  );
}
