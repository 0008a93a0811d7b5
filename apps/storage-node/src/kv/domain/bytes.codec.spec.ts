import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, DecodeError, decodeWith } from './bytes.codec.js';

describe('varints', () => {
  it.each([0n, 1n, 127n, 128n, 300n, 16_383n, 16_384n, (1n << 63n) - 1n, (1n << 64n) - 1n])(
    'round-trips %s',
    (value) => {
      const bytes = new ByteWriter().uvarint(value).finish();
      const reader = new ByteReader(bytes);
      expect(reader.uvarint('v')).toBe(value);
      expect(reader.remaining).toBe(0);
    },
  );

  it('uses one byte per 7 bits', () => {
    expect(new ByteWriter().uvarint(127).finish()).toEqual(Buffer.from([0x7f]));
    expect(new ByteWriter().uvarint(300).finish()).toEqual(Buffer.from([0xac, 0x02]));
    expect(new ByteWriter().uvarint((1n << 64n) - 1n).finish()).toHaveLength(10);
  });

  it('refuses to write values outside u64', () => {
    expect(() => new ByteWriter().uvarint(-1)).toThrow(RangeError);
    expect(() => new ByteWriter().uvarint(1n << 64n)).toThrow(RangeError);
  });

  it('rejects an overlong encoding of a small number', () => {
    expect(() => new ByteReader(Buffer.from([0x81, 0x00])).uvarint('v')).toThrow('non-canonical');
  });

  it('rejects a varint above 64 bits and one that never ends', () => {
    const tooBig = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    expect(() => new ByteReader(tooBig).uvarint('v')).toThrow('exceeds 64 bits');
    expect(() => new ByteReader(Buffer.alloc(11, 0x80)).uvarint('v')).toThrow('longer than 10 bytes');
    expect(() => new ByteReader(Buffer.from([0x80])).uvarint('v')).toThrow('unexpected end');
  });
});

describe('ByteReader', () => {
  it('reads length-prefixed bytes as copies', () => {
    const input = new ByteWriter().lengthPrefixed(Buffer.from('abc')).u8(9).finish();
    const reader = new ByteReader(input);
    const slice = reader.lengthPrefixed('name', 10);
    input.fill(0);
    expect(slice.toString()).toBe('abc');
  });

  it('names the field that ran out or is too long', () => {
    const input = new ByteWriter().uvarint(5).bytes(Buffer.from('ab')).finish();
    expect(() => new ByteReader(input).lengthPrefixed('name', 10)).toThrow('name: needs 5 bytes, 2 left');
    expect(() => new ByteReader(input).lengthPrefixed('name', 4)).toThrow('name length: 5 is not below 5');
  });

  it('decodeWith turns a DecodeError into a reason and lets other errors through', () => {
    expect(decodeWith(() => new ByteReader(Buffer.alloc(0)).u8('x'))).toEqual({
      ok: false,
      reason: 'x: unexpected end of input',
    });
    expect(decodeWith(() => 7)).toEqual({ ok: true, value: 7 });
    expect(() =>
      decodeWith(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
    expect(new DecodeError('r').reason).toBe('r');
  });
});
