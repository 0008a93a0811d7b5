import { type DecodeResult } from './bytes.codec.js';
import { formatLogPosition, type LogPosition, parseLogPosition } from './log-position.model.js';

/**
 * A write's read-your-writes token: base64url of `partition:offset`. Opaque to clients (so
 * they pass it back rather than build one) and safe in a header or query string.
 */
export function encodeReadToken(position: LogPosition): string {
  return Buffer.from(formatLogPosition(position), 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Longest body: a 10-digit partition, ':' and a 19-digit offset, in base64url. */
const MAX_TOKEN_LENGTH = Math.ceil(((10 + 1 + 19) * 4) / 3);

export function decodeReadToken(token: string): DecodeResult<LogPosition> {
  if (token.length === 0) return { ok: false, reason: 'token is empty' };
  if (token.length > MAX_TOKEN_LENGTH)
    return { ok: false, reason: `token is longer than ${MAX_TOKEN_LENGTH}` };
  if (!BASE64URL.test(token)) return { ok: false, reason: 'token is not unpadded base64url' };
  const body = Buffer.from(token, 'base64url');
  // Node's decoder ignores stray trailing bits; only the canonical spelling is accepted.
  if (body.toString('base64url') !== token) return { ok: false, reason: 'token is not canonical base64url' };
  const parsed = parseLogPosition(body.toString('latin1'));
  return parsed.ok ? parsed : { ok: false, reason: `token body: ${parsed.reason}` };
}
