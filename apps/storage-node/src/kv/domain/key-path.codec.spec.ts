import { describe, expect, it } from 'vitest';
import {
  decodeKeyPathSegment,
  encodeKeyPathSegment,
  keySegmentOfUrl,
  shieldKeyPath,
  unshieldKeySegment,
} from './key-path.codec.js';
import { MAX_KEY_BYTES } from './stored-key.codec.js';

describe('key path segments', () => {
  it('percent-decodes to bytes, including bytes that are not UTF-8', () => {
    expect(decodeKeyPathSegment('user%2F42')).toEqual({ ok: true, value: Buffer.from('user/42') });
    expect(decodeKeyPathSegment('%00%ff%FE')).toEqual({ ok: true, value: Buffer.from([0, 255, 254]) });
    expect(decodeKeyPathSegment('caf%C3%A9-é')).toEqual({ ok: true, value: Buffer.from('café-é') });
  });

  it('refuses empty, malformed and oversize keys with the reason', () => {
    expect(decodeKeyPathSegment('')).toEqual({ ok: false, reason: 'the key is empty' });
    expect(decodeKeyPathSegment('a%zz')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/malformed percent-encoding at character 1/),
    });
    expect(decodeKeyPathSegment('a%2')).toMatchObject({ ok: false });
    expect(decodeKeyPathSegment('a/b')).toMatchObject({ ok: false, reason: expect.stringMatching(/%2F/) });
    expect(decodeKeyPathSegment('k'.repeat(MAX_KEY_BYTES))).toMatchObject({ ok: true });
    expect(decodeKeyPathSegment('k'.repeat(MAX_KEY_BYTES + 1))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/longer than/),
    });
  });

  it('encodes any bytes so that decoding gives them back', () => {
    const key = Buffer.from([0, 1, 47, 37, 0x41, 0xff, 0x7e, 0x20]);
    const segment = encodeKeyPathSegment(key);
    expect(segment).toBe('%00%01%2F%25A%FF~%20');
    expect(decodeKeyPathSegment(segment)).toEqual({ ok: true, value: key });
  });

  it('shields the key segment from the router and gets it back exactly', () => {
    const url = '/v1/kv/a%FF%2525b?token=MDow';
    const shielded = shieldKeyPath(url, '/v1/kv/');
    expect(shielded).toBe('/v1/kv/a%25FF%252525b?token=MDow');
    expect(unshieldKeySegment(keySegmentOfUrl(shielded, '/v1/kv/')!)).toBe('a%FF%2525b');
    expect(shieldKeyPath('/v1/admin/shards', '/v1/kv/')).toBe('/v1/admin/shards');
  });
});
