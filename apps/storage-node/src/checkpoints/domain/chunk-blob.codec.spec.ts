import { randomBytes } from 'node:crypto';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeChunkBlob, encodeChunkBlob } from './chunk-blob.codec.js';

const text = Buffer.from('key=value;'.repeat(1000));

describe('chunk blobs', () => {
  it.each([{ codec: 'brotli' } as const, { codec: 'deflate-raw' } as const, { codec: 'none' } as const])(
    'round-trips with $codec',
    (compression) => {
      const blob = encodeChunkBlob(text, compression);
      expect(decodeChunkBlob(blob, text.length)).toEqual({ ok: true, value: text });
    },
  );

  it('compresses repetitive data and tags the codec in the first byte', () => {
    const blob = encodeChunkBlob(text);
    expect(blob.length).toBeLessThan(text.length / 10);
    expect(blob[0]).toBe(2);
    expect(encodeChunkBlob(text, { codec: 'deflate-raw' })[0]).toBe(1);
  });

  it('stores incompressible data as is, with one byte of overhead', () => {
    const random = randomBytes(4096);
    const blob = encodeChunkBlob(random);
    expect(blob[0]).toBe(0);
    expect(blob).toHaveLength(4097);
    expect(decodeChunkBlob(blob, 4096)).toEqual({ ok: true, value: random });
  });

  it('reads a blob written with another codec than the current default', () => {
    const olderBlob = encodeChunkBlob(text, { codec: 'deflate-raw', level: 9 });
    expect(decodeChunkBlob(olderBlob, text.length)).toEqual({ ok: true, value: text });
  });

  it('rejects an unknown tag, garbage, a wrong size and an empty blob', () => {
    expect(decodeChunkBlob(Buffer.from([9, 1, 2]), 2)).toEqual({ ok: false, reason: 'unknown codec tag 9' });
    expect(decodeChunkBlob(Buffer.from([1, 0xff, 0xff, 0xff]), 10)).toMatchObject({ ok: false });
    expect(decodeChunkBlob(encodeChunkBlob(text), text.length + 1)).toEqual({
      ok: false,
      reason: `${text.length} bytes, expected ${text.length + 1}`,
    });
    expect(decodeChunkBlob(Buffer.alloc(0), 1)).toEqual({ ok: false, reason: 'empty blob' });
  });

  it('stops a blob that would inflate beyond the listed size', () => {
    const bomb = Buffer.concat([Buffer.from([2]), brotliCompressSync(Buffer.alloc(50 * 1024 * 1024))]);
    expect(decodeChunkBlob(bomb, 64 * 1024)).toEqual({ ok: false, reason: 'inflates beyond 65536 bytes' });
  });
});
