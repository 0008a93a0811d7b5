import { describe, expect, it } from 'vitest';
import { decodeReadToken, encodeReadToken } from './read-token.codec.js';
import { readReadiness, strongReadTarget } from './read-your-writes.policy.js';

describe('read token', () => {
  it('round-trips and is base64url of partition:offset', () => {
    const token = encodeReadToken({ partition: 3, offset: 1_234_567_890_123n });
    expect(Buffer.from(token, 'base64url').toString()).toBe('3:1234567890123');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeReadToken(token)).toEqual({ ok: true, value: { partition: 3, offset: 1_234_567_890_123n } });
  });

  it('round-trips the largest partition and offset', () => {
    const position = { partition: 2 ** 31 - 1, offset: (1n << 63n) - 1n };
    expect(decodeReadToken(encodeReadToken(position))).toEqual({ ok: true, value: position });
  });

  it.each([
    ['', 'token is empty'],
    ['a'.repeat(41), 'token is longer than 40'],
    ['MzoxMjM=', 'token is not unpadded base64url'],
    ['Mzox+jM', 'token is not unpadded base64url'],
    ['MzoxMjN', 'token is not canonical base64url'],
    [
      Buffer.from('hello').toString('base64url'),
      'token body: expected "partition:offset" in canonical decimal',
    ],
    [
      Buffer.from('3:012').toString('base64url'),
      'token body: expected "partition:offset" in canonical decimal',
    ],
    [
      Buffer.from('-1:5').toString('base64url'),
      'token body: expected "partition:offset" in canonical decimal',
    ],
    [
      Buffer.from('2147483648:5').toString('base64url'),
      'token body: partition 2147483648 is above 2147483647',
    ],
    [
      Buffer.from('1:9223372036854775808').toString('base64url'),
      'token body: offset 9223372036854775808 is above 9223372036854775807',
    ],
  ])('rejects %j: %s', (token, reason) => {
    expect(decodeReadToken(token)).toEqual({ ok: false, reason });
  });

  it('refuses to encode an invalid position', () => {
    expect(() => encodeReadToken({ partition: -1, offset: 0n })).toThrow(RangeError);
    expect(() => encodeReadToken({ partition: 0, offset: -1n })).toThrow(RangeError);
  });
});

describe('readReadiness', () => {
  const token = { partition: 2, offset: 100n };

  it('serves once the token offset is applied', () => {
    expect(readReadiness(token, 2, new Map([[2, 100n]]))).toEqual({ ready: true, because: 'token-applied' });
    expect(readReadiness(token, 2, new Map([[2, 150n]]))).toEqual({ ready: true, because: 'token-applied' });
  });

  it('waits while the replica is behind the token', () => {
    expect(readReadiness(token, 2, new Map([[2, 99n]]))).toEqual({
      ready: false,
      partition: 2,
      appliedOffset: 99n,
      waitForOffset: 100n,
    });
  });

  it('waits when nothing has been applied from the partition yet', () => {
    expect(readReadiness(token, 2, new Map())).toMatchObject({ ready: false, appliedOffset: undefined });
  });

  it('does not wait for a write to another partition, which cannot affect this key', () => {
    expect(readReadiness(token, 5, new Map())).toEqual({ ready: true, because: 'token-for-other-partition' });
  });
});

describe('strongReadTarget', () => {
  it('waits for the last record below the high watermark, or nothing in an empty partition', () => {
    expect(strongReadTarget(1, 50n)).toEqual({ partition: 1, offset: 49n });
    expect(strongReadTarget(1, 0n)).toBeUndefined();
    expect(() => strongReadTarget(1, -1n)).toThrow(RangeError);
  });
});
