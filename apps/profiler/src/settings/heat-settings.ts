import { z } from 'zod';
import { heatThresholdProblems, type HeatThresholds } from '../heat/domain/index.js';

/** What an operator may change while the profiler runs (`PUT /v1/config`), shared by every instance. */
export interface HeatSettings {
  halfLifeMs: number;
  intervalMs: number;
  thresholds: HeatThresholds;
}

const opsPerSecond = z.number().finite().nonnegative().describe('operations (reads + writes) per second');

/**
 * The body of `PUT /v1/config`: the whole settings document (PUT replaces). Every problem is reported
 * with its path, the cross-field ones included, so one 400 names everything to fix.
 */
export function heatSettingsSchema(summaryWindowMs: number) {
  return z
    .object({
      halfLifeMs: z.number().int().positive().describe('half-life of every decayed rate, in ms'),
      intervalMs: z
        .number()
        .int()
        .positive()
        .describe(`time-series interval in ms; a multiple of the summary window (${summaryWindowMs} ms)`),
      thresholds: z
        .object({
          hotEnter: opsPerSecond.describe('ops/s at which a shard becomes hot'),
          hotExit: opsPerSecond.describe('ops/s below which a hot shard stops being hot'),
          coldEnter: opsPerSecond.describe('ops/s at or below which a shard becomes cold'),
          coldExit: opsPerSecond.describe('ops/s above which a cold shard stops being cold'),
        })
        .strict(),
    })
    .strict()
    .superRefine((settings, context) => {
      if (settings.intervalMs % summaryWindowMs !== 0) {
        context.addIssue({
          code: 'custom',
          path: ['intervalMs'],
          message: `must be a multiple of the summary window (${summaryWindowMs} ms)`,
        });
      }
      for (const problem of heatThresholdProblems(settings.thresholds)) {
        const field = /^thresholds\.(\w+)/.exec(problem)?.[1] ?? 'thresholds';
        context.addIssue({ code: 'custom', path: ['thresholds', field], message: problem });
      }
    });
}

export interface VersionedSettings {
  /** 0 for the settings from the environment, then +1 per `PUT /v1/config`. */
  version: number;
  settings: HeatSettings;
  updatedAtMs: number | null;
}
