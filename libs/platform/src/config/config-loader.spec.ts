import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, baseConfigShape, loadConfig, redactConfig } from './config-loader.js';

const shape = {
  ...baseConfigShape({ name: 'shard-manager', defaultPort: 4003 }),
  PLANNER_INTERVAL_MS: z.coerce.number().int().positive().default(10_000).describe('planner period'),
};

describe('loadConfig', () => {
  it('applies defaults and derives the schema from the service name', () => {
    const config = loadConfig(shape, {});
    expect(config.PORT).toBe(4003);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DB_SCHEMA).toBe('shard_manager');
    expect(config.PLANNER_INTERVAL_MS).toBe(10_000);
  });

  it('parses lists and numbers from strings', () => {
    const config = loadConfig(shape, { KAFKA_BROKERS: 'a:1, b:2', PORT: '5000' });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.PORT).toBe(5000);
  });

  it('reports every bad variable at once, with its description', () => {
    let error: unknown;
    try {
      loadConfig(shape, { PORT: 'eighty', KAFKA_BROKERS: 'nohost', PLANNER_INTERVAL_MS: '-3' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('PORT:'))).toContain('got "eighty"');
    expect(problems.find((p) => p.startsWith('KAFKA_BROKERS:'))).toContain('host:port');
    expect(problems.find((p) => p.startsWith('PLANNER_INTERVAL_MS:'))).toContain('(planner period)');
  });

  it('never shows a sensitive value, in errors or in logs', () => {
    const secret = 'mysql://user:hunter2@db/x';
    let message = '';
    try {
      loadConfig(shape, { DATABASE_URL: secret });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('hunter2');
    const ok = loadConfig(shape, { DATABASE_URL: 'postgres://u:hunter2@db/x' });
    expect(JSON.stringify(redactConfig(shape, ok))).not.toContain('hunter2');
  });
});
