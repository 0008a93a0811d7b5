import { describe, expect, it } from 'vitest';
import type { ApplicationHint, HintTarget } from './application-hints.js';
import { applyHints, hintAppliesTo, parseRecurringWindow, windowContains } from './application-hints.js';

const HOUR_MS = 3_600_000;
const monday = Date.UTC(2024, 0, 1); // Monday 00:00 UTC
const at = (day: number, hour: number, minute = 0): number =>
  monday + day * 24 * HOUR_MS + hour * HOUR_MS + minute * 60_000;

describe('parseRecurringWindow', () => {
  it('reads weekday ranges and times', () => {
    expect(parseRecurringWindow('Mon-Fri 09:00-10:00 UTC')).toEqual({
      kind: 'recurring',
      weekdays: [1, 2, 3, 4, 5],
      startMinute: 540,
      endMinute: 600,
    });
    expect(parseRecurringWindow('daily 00:00-24:00')).toMatchObject({
      weekdays: [0, 1, 2, 3, 4, 5, 6],
      endMinute: 1440,
    });
    expect(parseRecurringWindow('Sat,Sun 12:30-13:00 UTC')).toMatchObject({
      weekdays: [0, 6],
      startMinute: 750,
    });
    expect(parseRecurringWindow('Fri-Mon 08:00-09:00')).toMatchObject({ weekdays: [0, 1, 5, 6] });
  });

  it('rejects what it does not understand', () => {
    expect(() => parseRecurringWindow('Mon-Fri 9-10')).toThrow(SyntaxError);
    expect(() => parseRecurringWindow('Funday 09:00-10:00')).toThrow(SyntaxError);
    expect(() => parseRecurringWindow('Mon 09:00-10:00 CET')).toThrow(/UTC/);
    expect(() => parseRecurringWindow('Mon 09:00-09:00')).toThrow(/empty/);
    expect(() => parseRecurringWindow('Mon 09:61-10:00')).toThrow(SyntaxError);
  });
});

describe('windowContains', () => {
  it('matches weekdays and the half-open time of day', () => {
    const window = parseRecurringWindow('Mon-Fri 09:00-10:00 UTC');
    expect(windowContains(window, at(0, 9, 30))).toBe(true);
    expect(windowContains(window, at(0, 10))).toBe(false);
    expect(windowContains(window, at(0, 8, 59))).toBe(false);
    expect(windowContains(window, at(5, 9, 30))).toBe(false); // Saturday
  });

  it('runs a window past midnight into the next day', () => {
    const window = parseRecurringWindow('Fri 22:00-02:00');
    expect(windowContains(window, at(4, 23))).toBe(true); // Friday night
    expect(windowContains(window, at(5, 1))).toBe(true); // early Saturday
    expect(windowContains(window, at(4, 1))).toBe(false); // early Friday belongs to Thursday
  });

  it('handles one-off windows', () => {
    const window = { kind: 'once' as const, startMs: at(2, 12), endMs: at(2, 14) };
    expect(windowContains(window, at(2, 12))).toBe(true);
    expect(windowContains(window, at(2, 14))).toBe(false);
  });
});

describe('applyHints', () => {
  const forecast = [0, 1, 2, 3].map(() => ({ p10: 80, p50: 100, p90: 130 }));
  const times = [at(0, 8), at(0, 9), at(0, 10), at(0, 11)];
  const launch: ApplicationHint = {
    id: 'launch',
    scope: { kind: 'key-prefix', prefix: 'cart:' },
    window: parseRecurringWindow('Mon 09:00-11:00 UTC'),
    factor: 3,
  };
  const promo: ApplicationHint = {
    id: 'promo',
    scope: { kind: 'hash-range', range: { lo: 0n, hi: 1000n } },
    window: { kind: 'once', startMs: at(0, 10), endMs: at(0, 12) },
    factor: 2,
  };
  const elsewhere: ApplicationHint = {
    ...promo,
    id: 'elsewhere',
    scope: { kind: 'hash-range', range: { lo: 5000n, hi: 6000n } },
  };

  it('multiplies the steps inside each window, compounding overlaps', () => {
    const { forecast: adjusted, appliedHintIds } = applyHints(forecast, times, [launch, promo]);
    expect(adjusted.map((s) => s.p50)).toEqual([100, 300, 600, 200]);
    expect(adjusted[1]).toEqual({ p10: 240, p50: 300, p90: 390 });
    expect(appliedHintIds).toEqual(['launch', 'promo']);
  });

  it('only uses hints whose scope matches the shard', () => {
    const target: HintTarget = { range: { lo: 500n, hi: 2000n }, sampledKeys: ['user:1', 'user:2'] };
    const { forecast: adjusted, appliedHintIds } = applyHints(
      forecast,
      times,
      [launch, promo, elsewhere],
      target,
    );
    expect(appliedHintIds).toEqual(['promo']);
    expect(adjusted.map((s) => s.p50)).toEqual([100, 100, 200, 200]);
  });

  it('matches key scopes through the keys a shard is known to hold', () => {
    const target: HintTarget = { range: { lo: 0n, hi: 10n }, sampledKeys: ['cart:42'] };
    expect(hintAppliesTo({ kind: 'key-prefix', prefix: 'cart:' }, target)).toBe(true);
    expect(hintAppliesTo({ kind: 'key-range', start: 'cart:', end: 'cart;' }, target)).toBe(true);
    expect(hintAppliesTo({ kind: 'key-range', start: 'a', end: 'b' }, target)).toBe(false);
    expect(hintAppliesTo({ kind: 'hash-range', range: { lo: 10n, hi: 20n } }, target)).toBe(false);
  });

  it('leaves the forecast alone when no window is in force', () => {
    const result = applyHints(
      forecast,
      times.map((t) => t + 3 * 24 * HOUR_MS),
      [launch, promo],
    );
    expect(result.forecast).toEqual(forecast);
    expect(result.appliedHintIds).toEqual([]);
  });

  it('rejects mismatched step times and negative factors', () => {
    expect(() => applyHints(forecast, times.slice(1), [])).toThrow(RangeError);
    expect(() => applyHints(forecast, times, [{ ...launch, factor: -1 }])).toThrow(RangeError);
  });
});
