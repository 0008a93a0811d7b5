import { type DecodeResult } from './bytes.codec.js';
import { formatLogPosition, type LogPosition, parseLogPosition } from './log-position.model.js';
import { type DeleteCondition, type WriteCondition } from './log-record.codec.js';

/** A stored value's version as an HTTP entity tag: the strong ETag `"partition:offset"`. */
export function versionETag(version: LogPosition): string {
  return `"${formatLogPosition(version)}"`;
}

/** Parses one entity tag naming a version; quotes are optional so `curl -H 'If-Match: 3:17'` works too. */
export function parseVersionETag(text: string): DecodeResult<LogPosition> {
  const trimmed = text.trim();
  if (trimmed.startsWith('W/')) return { ok: false, reason: 'weak entity tags cannot name a version' };
  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  const body = quoted ? trimmed.slice(1, -1) : trimmed;
  const parsed = parseLogPosition(body);
  return parsed.ok ? parsed : { ok: false, reason: `"${trimmed}" is not a version: ${parsed.reason}` };
}

/**
 * The condition of a PUT from its If-Match / If-None-Match headers: If-Match names the one
 * version the key must still have; If-None-Match accepts only `*` (create, never overwrite).
 */
export function parseWriteCondition(headers: {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
}): DecodeResult<WriteCondition> {
  const { ifMatch, ifNoneMatch } = headers;
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    return { ok: false, reason: 'If-Match and If-None-Match cannot be combined' };
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      return { ok: false, reason: 'If-None-Match supports only "*" (create if the key does not exist)' };
    }
    return { ok: true, value: { kind: 'if-none-match' } };
  }
  if (ifMatch !== undefined) return parseIfMatch(ifMatch);
  return { ok: true, value: { kind: 'none' } };
}

export function parseDeleteCondition(headers: {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
}): DecodeResult<DeleteCondition> {
  if (headers.ifNoneMatch !== undefined)
    return { ok: false, reason: 'If-None-Match makes no sense on a DELETE' };
  if (headers.ifMatch !== undefined) return parseIfMatch(headers.ifMatch);
  return { ok: true, value: { kind: 'none' } };
}

function parseIfMatch(text: string): DecodeResult<{ kind: 'if-match'; version: LogPosition }> {
  if (text.trim() === '*')
    return { ok: false, reason: 'If-Match: * is not supported; name the version (the ETag)' };
  if (text.includes(',')) return { ok: false, reason: 'If-Match must name exactly one version' };
  const version = parseVersionETag(text);
  return version.ok ? { ok: true, value: { kind: 'if-match', version: version.value } } : version;
}
