import type { z } from 'zod';
import type { EventOf, TopicKey, TopicSpec } from './topics.js';
import { TOPICS } from './topics.js';

/** Header names every Shardcast message may carry. */
export const HEADERS = {
  event: 'sc-event',
  eventId: 'sc-event-id',
  deadLetterReason: 'sc-dlq-reason',
  deadLetterTopic: 'sc-dlq-topic',
  deadLetterPartition: 'sc-dlq-partition',
  deadLetterOffset: 'sc-dlq-offset',
  deadLetterAtMs: 'sc-dlq-at-ms',
} as const;

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export interface EncodedMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Validates and serialises an event for its topic. Validating on the way out too means a
 * producer bug fails where it happens instead of filling a dead-letter topic downstream.
 */
export function encodeEvent<K extends TopicKey>(
  topic: K,
  event: z.input<(typeof TOPICS)[K]['schema']>,
): EncodedMessage {
  const spec = TOPICS[topic] as unknown as TopicSpec;
  const parsed = spec.schema.safeParse(event);
  if (!parsed.success) {
    throw new EventValidationError(
      `refusing to publish an invalid ${spec.event}: ${describeIssues(parsed.error)}`,
    );
  }
  const value = parsed.data as { eventId?: string };
  const headers: Record<string, string> = { [HEADERS.event]: spec.event };
  if (value.eventId !== undefined) headers[HEADERS.eventId] = value.eventId;
  return { key: spec.keyOf(parsed.data), value: Buffer.from(JSON.stringify(parsed.data)), headers };
}

/** Decodes a consumed message; never throws: a failure carries the reason for the dead-letter topic. */
export function decodeEvent<K extends TopicKey>(
  topic: K,
  message: { value: Buffer | null; headers?: RawHeaders | undefined },
): DecodeResult<EventOf<K>> {
  const spec = TOPICS[topic] as unknown as TopicSpec;
  const declared = headerString(message.headers, HEADERS.event);
  if (declared !== undefined && declared !== spec.event) {
    return {
      ok: false,
      reason: `unsupported event version "${declared}" on ${spec.name} (expected ${spec.event})`,
    };
  }
  if (message.value === null || message.value.length === 0) {
    return { ok: false, reason: 'empty message value' };
  }
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `invalid ${spec.event}: ${describeIssues(parsed.error)}` };
  return { ok: true, value: parsed.data as EventOf<K> };
}

export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** "path: message; path: message" — short enough for a header, precise enough to fix the producer. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
}
