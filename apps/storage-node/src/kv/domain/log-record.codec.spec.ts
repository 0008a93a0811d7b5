import { describe, expect, it } from 'vitest';
import { decodeLogRecord, encodeLogRecord, type LogRecord } from './log-record.codec.js';
import { MAX_KEY_BYTES } from './stored-key.codec.js';

function roundTrip(record: LogRecord): LogRecord {
  const decoded = decodeLogRecord(encodeLogRecord(record));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.value;
}

function rejection(message: { key?: Buffer | null; value?: Buffer | null; meta?: Buffer }): string {
  const decoded = decodeLogRecord({
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    meta: undefined,
    ...message,
  });
  if (decoded.ok) throw new Error('expected a rejection');
  return decoded.reason;
}

describe('log record encoding', () => {
  it.each<LogRecord>([
    {
      op: 'put',
      key: Buffer.from('user:1'),
      value: Buffer.from([0, 1, 2]),
      condition: { kind: 'none' },
      requestId: 'r1',
    },
    {
      op: 'put',
      key: Buffer.from('k'),
      value: Buffer.alloc(0),
      condition: { kind: 'if-none-match' },
      requestId: 'r2',
    },
    {
      op: 'put',
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      condition: { kind: 'if-match', version: { partition: 12, offset: 9_000_000_000n } },
      requestId: 'réq-3',
    },
    { op: 'delete', key: Buffer.from('k'), condition: { kind: 'none' }, requestId: 'r4' },
    {
      op: 'delete',
      key: Buffer.from('k'),
      condition: { kind: 'if-match', version: { partition: 0, offset: 0n } },
      requestId: 'r5',
    },
  ])('round-trips $op with $condition.kind', (record) => {
    expect(roundTrip(record)).toEqual(record);
  });

  it('keeps the key and value as the Kafka message key and value', () => {
    const message = encodeLogRecord({
      op: 'put',
      key: Buffer.from('user:1'),
      value: Buffer.from('{"a":1}'),
      condition: { kind: 'none' },
      requestId: 'r',
    });
    expect(message.key.toString()).toBe('user:1');
    expect(message.value?.toString()).toBe('{"a":1}');
  });

  it('turns a delete into a Kafka tombstone so compaction can drop the key', () => {
    const message = encodeLogRecord({
      op: 'delete',
      key: Buffer.from('k'),
      condition: { kind: 'none' },
      requestId: 'r',
    });
    expect(message.value).toBeNull();
  });

  it('has a fixed meta layout (format, op, condition, version, request id)', () => {
    const message = encodeLogRecord({
      op: 'put',
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      condition: { kind: 'if-match', version: { partition: 1, offset: 300n } },
      requestId: 'ab',
    });
    expect(message.meta.toString('hex')).toBe('010101' + '01' + 'ac02' + '02' + '6162');
  });

  it('refuses to encode records that could never be applied', () => {
    const base = { op: 'put', value: Buffer.from('v'), condition: { kind: 'none' } } as const;
    expect(() => encodeLogRecord({ ...base, key: Buffer.alloc(0), requestId: 'r' })).toThrow('key is empty');
    expect(() => encodeLogRecord({ ...base, key: Buffer.alloc(MAX_KEY_BYTES + 1), requestId: 'r' })).toThrow(
      RangeError,
    );
    expect(() => encodeLogRecord({ ...base, key: Buffer.from('k'), requestId: '' })).toThrow('request id');
    expect(() => encodeLogRecord({ ...base, key: Buffer.from('k'), requestId: 'x'.repeat(129) })).toThrow(
      'request id',
    );
    expect(() =>
      encodeLogRecord({
        op: 'delete',
        key: Buffer.from('k'),
        condition: { kind: 'if-none-match' } as never,
        requestId: 'r',
      }),
    ).toThrow('if-none-match on a delete');
  });
});

describe('log record decoding rejects with a reason', () => {
  const putMeta = Buffer.from([1, 1, 0, 1, 0x72]);
  const deleteMeta = Buffer.from([1, 2, 0, 1, 0x72]);

  it('a message without the meta header', () => {
    expect(rejection({})).toBe('missing shardcast-log-meta header');
  });

  it('an unknown format, op or condition', () => {
    expect(rejection({ meta: Buffer.from([2, 1, 0, 1, 0x72]) })).toBe('unknown log record format 2');
    expect(rejection({ meta: Buffer.from([1, 7, 0, 1, 0x72]) })).toBe('unknown op 7');
    expect(rejection({ meta: Buffer.from([1, 1, 5, 1, 0x72]) })).toBe('unknown condition 5');
  });

  it('an empty or missing key', () => {
    expect(rejection({ key: null, meta: putMeta })).toBe('key is empty');
    expect(rejection({ key: Buffer.alloc(0), meta: putMeta })).toBe('key is empty');
  });

  it('a put without a value and a delete with one', () => {
    expect(rejection({ value: null, meta: putMeta })).toBe('put without a value');
    expect(rejection({ value: Buffer.from('v'), meta: deleteMeta })).toMatch(/delete with a value/);
  });

  it('if-none-match on a delete', () => {
    expect(rejection({ value: null, meta: Buffer.from([1, 2, 2, 1, 0x72]) })).toBe(
      'if-none-match on a delete',
    );
  });

  it('truncated or trailing meta bytes', () => {
    expect(rejection({ meta: Buffer.from([1, 1, 1, 3]) })).toMatch(/^if-match offset: unexpected end/);
    expect(rejection({ meta: Buffer.from([1, 1, 0, 1, 0x72, 0]) })).toBe('meta: 1 unexpected trailing bytes');
  });

  it('a request id that is empty or not UTF-8', () => {
    expect(rejection({ meta: Buffer.from([1, 1, 0, 0]) })).toMatch(/request id must be/);
    expect(rejection({ meta: Buffer.from([1, 1, 0, 1, 0xff]) })).toBe('request id is not valid UTF-8');
  });
});
