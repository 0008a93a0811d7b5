import { baseConfigShape, configVars, loadConfigOrExit } from '@shardcast/platform';
import { z } from 'zod';
import { FAILURE_CLASSIFIER_CHOICES } from '../risk/domain/failure-classifier.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const { positiveInt, nonNegativeInt } = configVars;

/**
 * The predictor's environment. Settings an operator tunes while it runs (capacity, schedules,
 * thresholds) start from these values and are then changed with PUT /v1/config, which stores
 * them in Postgres; the rest fix the shape of the data and the models and need a restart.
 */
export const predictorConfigShape = {
  ...baseConfigShape({ name: 'predictor', defaultPort: 4002 }),
  FORECAST_INTERVAL_MS: positiveInt(15 * MINUTE_MS).describe(
    'length of one forecast step; heat events are summed into buckets of this length (UTC-aligned)',
  ),
  FORECAST_HORIZON_STEPS: positiveInt(8).describe(
    'steps each forecast covers (the LSTM is trained for this many)',
  ),
  FORECAST_HISTORY_STEPS: positiveInt(28 * 96).describe(
    'most recent steps of a shard a model fits and trains on',
  ),
  FORECAST_EVERY_MS: positiveInt(15 * MINUTE_MS).describe('how often forecasts are computed and published'),
  SHARD_CAPACITY_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(5_000)
    .describe('accesses per second a shard serves comfortably; RRS is P(load above it within the horizon)'),
  BACKTEST_FOLDS: positiveInt(12).describe(
    'rolling origins each model is backtested on, per shard (12 × 8 steps of 15 min: the last day)',
  ),
  RETRAIN_EVERY_MS: nonNegativeInt(6 * HOUR_MS).describe(
    'how often the models are retrained and re-chosen (0: only through POST /v1/models/retrain)',
  ),
  LSTM_LOOKBACK_STEPS: positiveInt(48).describe('steps of history the LSTM reads per forecast'),
  LSTM_UNITS: positiveInt(32).describe('LSTM hidden units'),
  LSTM_EPOCHS: positiveInt(8).describe('training epochs per retrain'),
  LSTM_MAX_WINDOWS: positiveInt(2048).describe('training windows per epoch, sampled evenly across shards'),
  LSTM_BATCH_SIZE: positiveInt(32).describe(
    'windows per training batch; the event loop is yielded after each, so this bounds a stall',
  ),
  TFJS_BACKEND: z
    .enum(['auto', 'tensorflow', 'wasm', 'cpu'])
    .default('auto')
    .describe('first TensorFlow.js backend to try; auto: tfjs-node, else WASM, else pure-JS CPU'),
  FAILURE_CLASSIFIER: z
    .enum(FAILURE_CLASSIFIER_CHOICES)
    .default('auto')
    .describe(
      'failure classifier a retrain serves; auto: the best tfjs one (logistic or MLP) when its held-out Brier score is at least as good as the plain logistic regression’s, else the plain one',
    ),
  RISK_EVERY_MS: positiveInt(MINUTE_MS).describe('how often node risk and recovery profiles are published'),
  RISK_HORIZON_MS: positiveInt(DAY_MS).describe('failure-risk horizon: P(node fails within this time)'),
  RISK_WINDOW_MS: positiveInt(6 * HOUR_MS).describe('recent health a node is judged on'),
  HEALTH_SAMPLE_INTERVAL_MS: positiveInt(5_000).describe(
    'interval at which storage-nodes publish health samples; longer gaps count as missed heartbeats',
  ),
  PREFETCH_MIN_CONFIDENCE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('pre-fetch predictions below this confidence are not served'),
  HISTORY_RETENTION_MS: positiveInt(35 * DAY_MS).describe(
    'heat series, lifecycle and restore history older than this are deleted',
  ),
  HEALTH_RETENTION_MS: positiveInt(14 * DAY_MS).describe(
    'health samples older than this are deleted (the failure classifier trains on what is kept)',
  ),
  MODEL_VERSIONS_KEPT: positiveInt(20).describe('model versions kept in Postgres, newest first'),
};

export type PredictorConfig = z.output<z.ZodObject<typeof predictorConfigShape>>;

export const loadPredictorConfig = (): PredictorConfig => loadConfigOrExit(predictorConfigShape);
