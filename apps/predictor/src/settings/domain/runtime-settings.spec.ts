import { describe, expect, it } from 'vitest';
import type { RuntimeSettings } from './runtime-settings.js';
import {
  capacityPerInterval,
  mergeRuntimeSettings,
  runtimeSettingsUpdateSchema,
} from './runtime-settings.js';

const settings: RuntimeSettings = {
  capacityPerSecond: 100,
  capacityOverrides: { 'shard-007': 400 },
  forecastEveryMs: 60_000,
  riskEveryMs: 60_000,
  retrainEveryMs: 0,
  prefetchMinConfidence: 0.5,
  backtestFolds: 4,
  lstmEpochs: 8,
  lstmMaxWindows: 2048,
  failureClassifier: 'auto',
};

describe('runtime settings', () => {
  it('changes only the settings an update names', () => {
    const update = runtimeSettingsUpdateSchema.parse({ capacityPerSecond: 250, retrainEveryMs: 3_600_000 });
    expect(mergeRuntimeSettings(settings, update)).toEqual({
      ...settings,
      capacityPerSecond: 250,
      retrainEveryMs: 3_600_000,
    });
  });

  it('reports every bad or unknown field of an update at once', () => {
    const parsed = runtimeSettingsUpdateSchema.safeParse({
      capacityPerSecond: -1,
      backtestFolds: 2.5,
      horizon: 4,
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) =>
      i.path.length > 0 ? i.path.join('.') : (i as { keys?: string[] }).keys?.join(','),
    );
    expect(paths).toEqual(expect.arrayContaining(['capacityPerSecond', 'backtestFolds', 'horizon']));
  });

  it('turns a capacity per second into load per forecast interval, with per-shard overrides', () => {
    expect(capacityPerInterval(settings, 'shard-001', 900_000)).toBe(90_000);
    expect(capacityPerInterval(settings, 'shard-007', 60_000)).toBe(24_000);
  });
});
