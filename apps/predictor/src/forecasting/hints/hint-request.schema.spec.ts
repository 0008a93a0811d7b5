import { describe, expect, it } from 'vitest';
import { hintRequestSchema, toApplicationHint } from './hint-request.schema.js';

describe('hint requests', () => {
  it('turns a hash-range, recurring hint into the domain hint', () => {
    const request = hintRequestSchema.parse({
      scope: { kind: 'hash-range', lo: '0', hi: '18446744073709551616' },
      window: { kind: 'recurring', schedule: 'Mon-Fri 06:00-07:30 UTC' },
      factor: 3,
    });
    expect(toApplicationHint('h1', request)).toEqual({
      id: 'h1',
      factor: 3,
      scope: { kind: 'hash-range', range: { lo: 0n, hi: 1n << 64n } },
      window: { kind: 'recurring', weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 450 },
    });
  });

  it('names every bad field at once', () => {
    const parsed = hintRequestSchema.safeParse({
      id: 'has spaces',
      scope: { kind: 'key-range', start: 'b', end: 'a' },
      window: { kind: 'recurring', schedule: 'Someday 25:00-26:00' },
      factor: -1,
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'window.schedule', 'factor']));
  });

  it('rejects an empty one-off window and an inverted hash range', () => {
    const parsed = hintRequestSchema.safeParse({
      scope: { kind: 'hash-range', lo: '10', hi: '5' },
      window: { kind: 'once', startMs: 10, endMs: 10 },
      factor: 2,
    });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['scope.hi', 'window.endMs']);
  });
});
