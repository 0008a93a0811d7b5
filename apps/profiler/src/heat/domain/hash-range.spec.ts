import { describe, expect, it } from 'vitest';
import {
  HASH_SPACE_END,
  assertHashRange,
  containsHash,
  hashFromState,
  hashToState,
  isInteriorPoint,
  rangeShareBelow,
} from './hash-range.js';

describe('hash ranges', () => {
  it('accepts 0 ≤ lo < hi ≤ 2^64 and nothing else', () => {
    expect(() => assertHashRange({ lo: 0n, hi: HASH_SPACE_END })).not.toThrow();
    expect(() => assertHashRange({ lo: 5n, hi: 5n })).toThrow(RangeError);
    expect(() => assertHashRange({ lo: -1n, hi: 5n })).toThrow(RangeError);
    expect(() => assertHashRange({ lo: 0n, hi: HASH_SPACE_END + 1n })).toThrow(RangeError);
  });

  it('is half-open', () => {
    const range = { lo: 10n, hi: 20n };
    expect([9n, 10n, 19n, 20n].map((h) => containsHash(range, h))).toEqual([false, true, true, false]);
    expect([10n, 11n, 19n, 20n].map((h) => isInteriorPoint(range, h))).toEqual([false, true, true, false]);
  });

  it('measures the share of hashes below a point', () => {
    expect(rangeShareBelow({ lo: 0n, hi: HASH_SPACE_END }, 1n << 62n)).toBe(0.25);
    expect(rangeShareBelow({ lo: 10n, hi: 20n }, 13n)).toBeCloseTo(0.3, 12);
  });

  it('stores hashes as decimal strings, exactly', () => {
    const largest = HASH_SPACE_END - 1n;
    expect(hashToState(largest)).toBe('18446744073709551615');
    expect(hashFromState(hashToState(largest), 'h')).toBe(largest);
    expect(hashFromState('18446744073709551616', 'hi')).toBe(HASH_SPACE_END);
  });

  it('rejects anything but an unsigned decimal up to 2^64', () => {
    for (const bad of ['-1', '01', '1e3', '0x10', '', 5, null])
      expect(() => hashFromState(bad, 'h')).toThrow(TypeError);
    expect(() => hashFromState('18446744073709551617', 'h')).toThrow(RangeError);
  });
});
