import { describe, expect, it } from 'vitest';
import { MAX_OFFSET } from './log-position.model.js';
import { StoredDataCorruptError } from './stored-data-corrupt.error.js';
import { decodeStoredValue, encodeStoredValue, type StoredValue } from './stored-value.codec.js';

describe('stored value encoding', () => {
  it('round-trips a live value', () => {
    const stored: StoredValue = {
      value: Buffer.from('hello'),
      version: { partition: 3, offset: 42n },
      tombstone: false,
    };
    expect(decodeStoredValue(encodeStoredValue(stored))).toEqual(stored);
  });

  it('round-trips a tombstone and the largest Kafka offset', () => {
    const stored: StoredValue = {
      value: Buffer.alloc(0),
      version: { partition: 2 ** 31 - 1, offset: MAX_OFFSET },
      tombstone: true,
    };
    expect(decodeStoredValue(encodeStoredValue(stored))).toEqual(stored);
  });

  it('costs a few bytes over the value', () => {
    const encoded = encodeStoredValue({
      value: Buffer.alloc(100),
      version: { partition: 7, offset: 1_000_000n },
      tombstone: false,
    });
    // format + flags + 1-byte partition + 3-byte offset
    expect(encoded).toHaveLength(100 + 6);
  });

  it('refuses a tombstone with a value', () => {
    expect(() =>
      encodeStoredValue({ value: Buffer.from('x'), version: { partition: 0, offset: 0n }, tombstone: true }),
    ).toThrow(RangeError);
  });

  it.each([
    ['an unknown format', Buffer.from([9, 0, 0, 0])],
    ['unknown flags', Buffer.from([1, 2, 0, 0])],
    ['a truncated version', Buffer.from([1, 0, 0x80])],
    ['a tombstone with a value', Buffer.from([1, 1, 0, 0, 0x41])],
    [
      'an offset above int64',
      Buffer.from([1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ],
  ])('reports %s as corrupt', (_, bytes) => {
    expect(() => decodeStoredValue(bytes)).toThrow(StoredDataCorruptError);
  });
});
