import {
  type AccessEventV1,
  type RawAccessV1,
  type RawHeaders,
  HEADERS,
  TOPICS,
  decodeEvent,
  describeIssues,
  headerString,
  rawAccessV1,
} from '@shardcast/contracts';

export type AccessDecodeResult = { ok: true; value: AccessEventV1 } | { ok: false; reason: string };

const U64 = /^(0|[1-9][0-9]{0,19})$/;
const HASH_SPACE = 1n << 64n;

/**
 * Decodes one `access` message exactly as the contract's `decodeEvent` does, faster for the common case.
 *
 * Raw events arrive at hundreds of thousands a second, and a general schema validator costs several
 * times the rest of the profiler's per-event work. So a raw event with an epoch-millisecond `ts` is
 * checked here by hand against the very rules of `rawAccessV1`; anything this path does not accept
 * outright (summaries, ISO timestamps, every invalid message) goes to `decodeEvent`, which stays the
 * one judge of validity and the source of dead-letter reasons. The fast path only ever says yes to
 * what the schema accepts, with the same output; a unit test holds it to that against the schema.
 */
export function decodeAccess(message: {
  value: Buffer | null;
  headers?: RawHeaders | undefined;
}): AccessDecodeResult {
  const declared = message.headers === undefined ? undefined : headerString(message.headers, HEADERS.event);
  if (
    (declared === undefined || declared === TOPICS.access.event) &&
    message.value !== null &&
    message.value.length > 0
  ) {
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString('utf8'));
    } catch {
      json = undefined;
    }
    const fast = json === undefined ? undefined : fastRawAccess(json);
    if (fast !== undefined) return { ok: true, value: fast };
    const decoded = safeDecode(message);
    return decoded.ok || !isObject(json) || json.kind === 'summary'
      ? decoded
      : { ok: false, reason: rawReason(json) };
  }
  return safeDecode(message);
}

/**
 * `decodeEvent`, which is meant never to throw but does: the contracts' u64 refinement runs
 * `BigInt()` even on a string its pattern rejected (e.g. a keyHash of "4s2"). Thrown, it would stop
 * the partition on one bad message; caught here, the message goes to the dead-letter topic.
 */
function safeDecode(message: { value: Buffer | null; headers?: RawHeaders | undefined }): AccessDecodeResult {
  try {
    return decodeEvent('access', message);
  } catch (error) {
    return { ok: false, reason: `invalid ${TOPICS.access.event}: ${(error as Error).message}` };
  }
}

function isObject(json: unknown): json is Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

/**
 * The schema is a union of summary and raw event, whose own failure says only "Invalid input"; an
 * outside producer sending raw events is better told what is wrong with its raw event.
 */
function rawReason(json: Record<string, unknown>): string {
  try {
    const parsed = rawAccessV1.safeParse(json);
    if (!parsed.success)
      return `invalid ${TOPICS.access.event} (raw access): ${describeIssues(parsed.error)}`;
  } catch (error) {
    return `invalid ${TOPICS.access.event} (raw access): ${(error as Error).message}`;
  }
  return `invalid ${TOPICS.access.event}`;
}

function isString(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** `rawAccessV1` for an epoch-ms `ts`, or undefined to let the schema decide. */
export function fastRawAccess(json: unknown): RawAccessV1 | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const event = json as Record<string, unknown>;
  const { kind, eventId, ts, key, keyHash, op, bytes, node, client, queryType } = event;
  if (kind !== undefined && kind !== 'access') return undefined;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) return undefined;
  if (op !== 'read' && op !== 'write') return undefined;
  if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0))
    return undefined;
  if (key !== undefined && !isString(key, 1, 4096)) return undefined;
  if (
    keyHash !== undefined &&
    !(typeof keyHash === 'string' && U64.test(keyHash) && BigInt(keyHash) < HASH_SPACE)
  ) {
    return undefined;
  }
  if (key === undefined && keyHash === undefined) return undefined;
  if (eventId !== undefined && !isString(eventId, 1, 128)) return undefined;
  if (node !== undefined && !isString(node, 1, 128)) return undefined;
  if (client !== undefined && !isString(client, 0, 256)) return undefined;
  if (queryType !== undefined && !isString(queryType, 0, 64)) return undefined;
  const access: RawAccessV1 = { kind: 'access', ts, op, bytes: bytes ?? 0 };
  if (eventId !== undefined) access.eventId = eventId;
  if (key !== undefined) access.key = key;
  if (keyHash !== undefined) access.keyHash = keyHash;
  if (node !== undefined) access.node = node;
  if (client !== undefined) access.client = client;
  if (queryType !== undefined) access.queryType = queryType;
  return access;
}
