import { ByteReader, ByteWriter, DecodeError, type DecodeResult, decodeWith } from './bytes.codec.js';
import { assertLogPosition, isValidOffset, type LogPosition, MAX_PARTITION } from './log-position.model.js';
import { MAX_KEY_BYTES } from './stored-key.codec.js';

/** A condition checked when the record is applied (not when it is produced), so every replica agrees. */
export type WriteCondition =
  | { readonly kind: 'none' }
  /** Apply only if the key's current version is exactly this one. */
  | { readonly kind: 'if-match'; readonly version: LogPosition }
  /** If-None-Match: * — apply only if the key does not exist. */
  | { readonly kind: 'if-none-match' };

export type DeleteCondition = Exclude<WriteCondition, { kind: 'if-none-match' }>;

/** What the write path produces to kv.log and the apply loop consumes. */
export type LogRecord =
  | {
      readonly op: 'put';
      readonly key: Buffer;
      readonly value: Buffer;
      readonly condition: WriteCondition;
      readonly requestId: string;
    }
  | {
      readonly op: 'delete';
      readonly key: Buffer;
      readonly condition: DeleteCondition;
      readonly requestId: string;
    };

/**
 * A log record as a Kafka message. kv.log is a compacted topic keyed by the key bytes, so
 * the key travels as the message key (not repeated), the value as the message value, and a
 * delete is a Kafka tombstone (`value: null`): only a null value lets compaction drop a
 * deleted key after `delete.retention.ms`. Operation, condition and request id travel in
 * one binary header, `meta`, under LOG_META_HEADER.
 */
export interface LogMessage {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly meta: Buffer;
}

/** Header carrying a record's `meta`; the version is also inside the bytes (first byte). */
export const LOG_META_HEADER = 'shardcast-log-meta';
export const MAX_REQUEST_ID_LENGTH = 128;

const FORMAT_V1 = 1;
const OP_CODES = { put: 1, delete: 2 } as const;
const CONDITION_CODES = { none: 0, 'if-match': 1, 'if-none-match': 2 } as const;

/*
 * Binary rather than JSON: values are arbitrary bytes, which JSON could only carry as
 * base64 (a third more on the log and on every replica's consumption), and the metadata is
 * a handful of small integers. meta layout (v1):
 *   format u8 ‖ op u8 ‖ condition u8 ‖ [if-match: partition varint ‖ offset varint]
 *   ‖ request id (varint length ‖ UTF-8)
 */
export function encodeLogRecord(record: LogRecord): LogMessage {
  assertRecord(record);
  const writer = new ByteWriter()
    .u8(FORMAT_V1)
    .u8(OP_CODES[record.op])
    .u8(CONDITION_CODES[record.condition.kind]);
  if (record.condition.kind === 'if-match') {
    writer.uvarint(record.condition.version.partition).uvarint(record.condition.version.offset);
  }
  writer.lengthPrefixed(Buffer.from(record.requestId, 'utf8'));
  return {
    key: Buffer.from(record.key),
    value: record.op === 'put' ? Buffer.from(record.value) : null,
    meta: writer.finish(),
  };
}

/** Decodes a consumed message; a rejection's reason goes with the message to the dead-letter topic. */
export function decodeLogRecord(message: {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly meta: Uint8Array | undefined;
}): DecodeResult<LogRecord> {
  return decodeWith(() => {
    if (message.meta === undefined) throw new DecodeError(`missing ${LOG_META_HEADER} header`);
    const key = message.key === null ? Buffer.alloc(0) : Buffer.from(message.key);
    if (key.length === 0) throw new DecodeError('key is empty');
    if (key.length > MAX_KEY_BYTES)
      throw new DecodeError(`key is ${key.length} bytes, above ${MAX_KEY_BYTES}`);

    const reader = new ByteReader(message.meta);
    const format = reader.u8('format');
    if (format !== FORMAT_V1) throw new DecodeError(`unknown log record format ${format}`);
    const opCode = reader.u8('op');
    const conditionCode = reader.u8('condition');
    let condition: WriteCondition;
    if (conditionCode === CONDITION_CODES.none) condition = { kind: 'none' };
    else if (conditionCode === CONDITION_CODES['if-none-match']) condition = { kind: 'if-none-match' };
    else if (conditionCode === CONDITION_CODES['if-match']) {
      const partition = reader.smallUvarint('if-match partition', MAX_PARTITION + 1);
      const offset = reader.uvarint('if-match offset');
      if (!isValidOffset(offset)) throw new DecodeError(`if-match offset ${offset} out of range`);
      condition = { kind: 'if-match', version: { partition, offset } };
    } else throw new DecodeError(`unknown condition ${conditionCode}`);
    const requestIdBytes = reader.lengthPrefixed('request id', MAX_REQUEST_ID_LENGTH * 4);
    reader.expectEnd('meta');
    const requestId = decodeRequestId(requestIdBytes);

    if (opCode === OP_CODES.put) {
      if (message.value === null) throw new DecodeError('put without a value');
      return { op: 'put', key, value: Buffer.from(message.value), condition, requestId };
    }
    if (opCode === OP_CODES.delete) {
      if (message.value !== null)
        throw new DecodeError('delete with a value (a delete must be a Kafka tombstone)');
      if (condition.kind === 'if-none-match') throw new DecodeError('if-none-match on a delete');
      return { op: 'delete', key, condition, requestId };
    }
    throw new DecodeError(`unknown op ${opCode}`);
  });
}

function decodeRequestId(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DecodeError('request id is not valid UTF-8');
  }
  if (!isValidRequestId(text))
    throw new DecodeError(`request id must be 1..${MAX_REQUEST_ID_LENGTH} characters`);
  return text;
}

function isValidRequestId(requestId: string): boolean {
  return requestId.length > 0 && requestId.length <= MAX_REQUEST_ID_LENGTH;
}

function assertRecord(record: LogRecord): void {
  if (record.key.length === 0) throw new RangeError('key is empty');
  if (record.key.length > MAX_KEY_BYTES)
    throw new RangeError(`key is ${record.key.length} bytes, above ${MAX_KEY_BYTES}`);
  if (!isValidRequestId(record.requestId)) {
    throw new RangeError(`request id must be 1..${MAX_REQUEST_ID_LENGTH} characters`);
  }
  // The type already forbids it; records built from untyped input are checked too.
  if (record.op === 'delete' && (record.condition.kind as string) === 'if-none-match') {
    throw new RangeError('if-none-match on a delete');
  }
  if (record.condition.kind === 'if-match') assertLogPosition(record.condition.version);
}
