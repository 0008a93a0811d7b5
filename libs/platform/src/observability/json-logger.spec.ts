import { describe, expect, it } from 'vitest';
import { JsonLogger } from './json-logger.js';

describe('JsonLogger', () => {
  it('writes one JSON object per line with service, level, context and fields', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('profiler', 'info', (line) => lines.push(line));
    logger.event('info', 'heat published', { shards: 3, hash: 5n }, 'Heat');
    logger.log('Nest says hi', 'NestFactory');
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({
      level: 'info',
      service: 'profiler',
      context: 'Heat',
      msg: 'heat published',
      shards: 3,
      hash: '5',
    });
    expect(second).toMatchObject({ level: 'info', context: 'NestFactory', msg: 'Nest says hi' });
  });

  it('drops lines below its level but counts every error line', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('storage-node', 'error', (line) => lines.push(line));
    logger.event('warn', 'ignored');
    logger.error(new Error('disk full'), 'Apply');
    logger.event('error', 'again');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: 'disk full', context: 'Apply' });
    expect(logger.errorCount).toBe(2);
  });
});
