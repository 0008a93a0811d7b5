import { ConfigError } from '@shardcast/platform';
import { describe, expect, it } from 'vitest';
import { parseProfilerConfig } from './profiler.config.js';

describe('profiler configuration', () => {
  it('has working defaults', () => {
    const config = parseProfilerConfig({});
    expect(config).toMatchObject({
      SHARD_COUNT: 16,
      HEAT_INTERVAL_MS: 10_000,
      SUMMARY_WINDOW_MS: 1000,
      CONSUMER_GROUP: 'profiler',
    });
  });

  it('reports every rule between variables at once, by variable name', () => {
    let error: unknown;
    try {
      parseProfilerConfig({
        HEAT_INTERVAL_MS: '1500',
        HOT_ENTER_OPS: '10',
        HOT_EXIT_OPS: '20',
        COLD_ENTER_OPS: '1',
        COLD_EXIT_OPS: '2',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^HEAT_INTERVAL_MS: must be a multiple of SUMMARY_WINDOW_MS/);
    expect(problems[1]).toBe('HOT_EXIT_OPS must be ≤ HOT_ENTER_OPS');
  });

  it('reports bad single variables with the platform loader', () => {
    expect(() => parseProfilerConfig({ SUMMARY_SAMPLE_HASHES: '5000', SHARD_COUNT: '0' })).toThrow(
      /SHARD_COUNT[\s\S]*SUMMARY_SAMPLE_HASHES/,
    );
  });
});
