import { describe, expect, it } from 'vitest';
import { RangeTable } from './range-table.js';

describe('RangeTable', () => {
  const table = new RangeTable([
    { id: 'c', lo: 200n, hi: 300n },
    { id: 'a', lo: 0n, hi: 100n },
    { id: 'b', lo: 100n, hi: 150n },
  ]);

  it('finds the range holding a hash, and nothing in a hole', () => {
    expect(table.lookup(0n)?.id).toBe('a');
    expect(table.lookup(99n)?.id).toBe('a');
    expect(table.lookup(100n)?.id).toBe('b');
    expect(table.lookup(150n)).toBeUndefined();
    expect(table.lookup(299n)?.id).toBe('c');
    expect(table.lookup(300n)).toBeUndefined();
    expect(table.entries.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('refuses overlapping ranges', () => {
    expect(
      () =>
        new RangeTable([
          { lo: 0n, hi: 10n },
          { lo: 5n, hi: 20n },
        ]),
    ).toThrow(/overlap/);
  });
});
