import { z } from 'zod';
import { FAILURE_CLASSIFIER_CHOICES } from '../../risk/domain/failure-classifier.js';

const DAY_MS = 86_400_000;

/**
 * What an operator may change while the predictor runs (PUT /v1/config). Everything else
 * (the forecast interval, horizon and network shape) fixes the shape of stored history or
 * of trained weights, so it is environment configuration and needs a restart.
 */
export const runtimeSettingsSchema = z
  .object({
    capacityPerSecond: z
      .number()
      .positive()
      .finite()
      .describe('accesses per second a shard serves comfortably: the default capacity behind RRS'),
    capacityOverrides: z
      .record(z.string().min(1).max(128), z.number().positive().finite())
      .describe('per-shard capacity in accesses per second, for shards on different hardware'),
    forecastEveryMs: z.number().int().min(100).max(DAY_MS).describe('how often forecasts are published'),
    riskEveryMs: z
      .number()
      .int()
      .min(100)
      .max(DAY_MS)
      .describe('how often node risk and recovery profiles are published'),
    retrainEveryMs: z
      .number()
      .int()
      .min(0)
      .max(30 * DAY_MS)
      .describe('how often models are retrained; 0 leaves retraining to POST /v1/models/retrain'),
    prefetchMinConfidence: z
      .number()
      .min(0)
      .max(1)
      .describe('pre-fetch predictions below this confidence are not served'),
    backtestFolds: z
      .number()
      .int()
      .min(1)
      .max(50)
      .describe('rolling origins per model and shard at the next retrain'),
    lstmEpochs: z.number().int().min(1).max(500).describe('LSTM training epochs at the next retrain'),
    lstmMaxWindows: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .describe('LSTM training windows per epoch at the next retrain'),
    failureClassifier: z
      .enum(FAILURE_CLASSIFIER_CHOICES)
      .describe(
        'failure classifier the next retrain serves: auto (tfjs when at least as good on held-out nodes), logistic, tfjs-logistic or tfjs-mlp',
      ),
  })
  .strict();

export type RuntimeSettings = z.output<typeof runtimeSettingsSchema>;

/** A PUT body: any subset of the settings; the ones left out keep their value. */
export const runtimeSettingsUpdateSchema = runtimeSettingsSchema.partial().strict();
export type RuntimeSettingsUpdate = z.output<typeof runtimeSettingsUpdateSchema>;

export function mergeRuntimeSettings(
  current: RuntimeSettings,
  update: RuntimeSettingsUpdate,
): RuntimeSettings {
  const defined = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined));
  return { ...current, ...defined };
}

/** Two updates as one: the later one's fields win. */
export function mergeRuntimeSettingsUpdate(
  earlier: RuntimeSettingsUpdate,
  later: RuntimeSettingsUpdate,
): RuntimeSettingsUpdate {
  const defined = Object.fromEntries(Object.entries(later).filter(([, v]) => v !== undefined));
  return { ...earlier, ...defined };
}

/** A shard's capacity in load per forecast interval (what RRS compares the forecast with). */
export function capacityPerInterval(settings: RuntimeSettings, shardId: string, intervalMs: number): number {
  const perSecond = settings.capacityOverrides[shardId] ?? settings.capacityPerSecond;
  return (perSecond * intervalMs) / 1000;
}
