import { type DecodeResult } from './bytes.codec.js';
import { MAX_KEY_BYTES } from './stored-key.codec.js';

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * A key as it appears in a URL path segment, percent-decoded to bytes. Keys are byte
 * strings, so `%FF` is one byte 0xFF (not necessarily UTF-8) and a `/` inside a key is
 * written `%2F`. A `%` not followed by two hex digits is refused rather than guessed at.
 */
const PLAIN_ASCII = /^[!-$&-.0-~]+$/;

export function decodeKeyPathSegment(segment: string): DecodeResult<Buffer> {
  if (segment.length === 0) return { ok: false, reason: 'the key is empty' };
  // The common case, printable ASCII without % or /, is its own byte string.
  if (segment.length <= MAX_KEY_BYTES && PLAIN_ASCII.test(segment))
    return { ok: true, value: Buffer.from(segment, 'latin1') };
  const bytes: number[] = [];
  for (let index = 0; index < segment.length;) {
    const char = segment[index]!;
    if (char === '%') {
      const hex = segment.slice(index + 1, index + 3);
      if (!HEX.test(hex)) {
        return { ok: false, reason: `malformed percent-encoding at character ${index} of the key` };
      }
      bytes.push(Number.parseInt(hex, 16));
      index += 3;
      continue;
    }
    if (char === '/') return { ok: false, reason: 'a key cannot contain "/" unencoded (write it as %2F)' };
    const codePoint = segment.codePointAt(index)!;
    const text = String.fromCodePoint(codePoint);
    for (const byte of Buffer.from(text, 'utf8')) bytes.push(byte);
    index += text.length;
    if (bytes.length > MAX_KEY_BYTES) break;
  }
  if (bytes.length > MAX_KEY_BYTES) {
    return { ok: false, reason: `the key is longer than ${MAX_KEY_BYTES} bytes` };
  }
  return { ok: true, value: Buffer.from(bytes) };
}

/** The key as a path segment: unreserved characters as they are, every other byte as %XX. */
export function encodeKeyPathSegment(key: Uint8Array): string {
  let out = '';
  for (const byte of key) {
    const isUnreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x7e;
    out += isUnreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The key segment of a request URL such as `/v1/kv/user%2F42?token=…`, still percent-encoded. */
export function keySegmentOfUrl(url: string, routePrefix: string): string | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  if (!path.startsWith(routePrefix)) return undefined;
  return path.slice(routePrefix.length);
}

/**
 * Keys may hold any bytes, but the HTTP router percent-decodes paths as UTF-8 and refuses
 * `%FF` before any handler runs. So a KV URL's key segment is shielded on arrival (every
 * `%` written `%25`, which the router decodes back to `%`) and the handler unshields it.
 * The mapping is exact both ways: every `%` of the shielded segment came from the original.
 */
export function shieldKeyPath(url: string, routePrefix: string): string {
  if (!url.startsWith(routePrefix)) return url;
  const queryStart = url.indexOf('?');
  const end = queryStart === -1 ? url.length : queryStart;
  return `${routePrefix}${url.slice(routePrefix.length, end).replaceAll('%', '%25')}${url.slice(end)}`;
}

export function unshieldKeySegment(segment: string): string {
  return segment.replaceAll('%25', '%');
}
