import { xxh64 } from '@node-rs/xxhash';
import { describe, expect, it } from 'vitest';
import { XXH64_OUT, xxh64BigInt, xxh64Range } from './xxh64.js';

/** A deterministic byte source (a linear congruential generator). */
function bytes(seed: number, length: number): Buffer {
  let state = seed;
  const out = Buffer.alloc(length);
  for (let k = 0; k < length; k++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    out[k] = state >>> 16;
  }
  return out;
}

describe('xxh64Range', () => {
  it('equals the native xxhash64 (seed 0) for every length path, at any offset', () => {
    // 0–31 bytes take the short path; 32 and up the four-lane stripes; the tails of 8, 4 and 1 bytes.
    for (let length = 0; length <= 200; length++) {
      for (const offset of [0, 1, 5]) {
        const buf = bytes(length * 31 + offset + 1, offset + length + 3);
        xxh64Range(buf, offset, offset + length);
        expect(xxh64BigInt(), `length ${length}, offset ${offset}`).toBe(
          xxh64(buf.subarray(offset, offset + length), 0n),
        );
      }
    }
  });

  it('matches it on long inputs and on bytes with the high bit set', () => {
    for (const buf of [bytes(9, 4_096), bytes(10, 65_537), Buffer.alloc(100, 0xff), Buffer.alloc(33, 0x80)]) {
      xxh64Range(buf, 0, buf.length);
      expect(xxh64BigInt()).toBe(xxh64(buf, 0n));
    }
  });

  it('leaves unsigned halves, high first', () => {
    const buf = Buffer.from('user:42');
    xxh64Range(buf, 0, buf.length);
    const hash = xxh64(buf, 0n);
    expect(XXH64_OUT[0]).toBe(Number(hash >> 32n));
    expect(XXH64_OUT[1]).toBe(Number(hash & 0xffffffffn));
  });
});
