import { type DecodeResult } from './bytes.codec.js';

/**
 * A place in the kv.log: what a write's token carries, what a stored value's version is,
 * and what the applied offsets of a replica are made of.
 */
export interface LogPosition {
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * The offset of the last record applied from each partition, as stored in LMDB beside the
 * data. A partition that is absent has had nothing applied yet.
 */
export type AppliedOffsets = ReadonlyMap<number, bigint>;

/** Kafka partitions are int32. */
export const MAX_PARTITION = 2 ** 31 - 1;
/** Kafka offsets are int64. */
export const MAX_OFFSET = (1n << 63n) - 1n;

export function isValidPartition(partition: number): boolean {
  return Number.isInteger(partition) && partition >= 0 && partition <= MAX_PARTITION;
}

export function isValidOffset(offset: bigint): boolean {
  return offset >= 0n && offset <= MAX_OFFSET;
}

export function assertLogPosition(position: LogPosition): void {
  if (!isValidPartition(position.partition)) throw new RangeError(`invalid partition ${position.partition}`);
  if (!isValidOffset(position.offset)) throw new RangeError(`invalid offset ${position.offset}`);
}

export function samePosition(a: LogPosition, b: LogPosition): boolean {
  return a.partition === b.partition && a.offset === b.offset;
}

/** `partition:offset` in decimal: the ETag of a stored value and the body of a read token. */
export function formatLogPosition(position: LogPosition): string {
  assertLogPosition(position);
  return `${position.partition}:${position.offset}`;
}

const POSITION_PATTERN = /^(0|[1-9][0-9]{0,9}):(0|[1-9][0-9]{0,18})$/;

export function parseLogPosition(text: string): DecodeResult<LogPosition> {
  const match = POSITION_PATTERN.exec(text);
  if (!match?.[1] || !match[2])
    return { ok: false, reason: 'expected "partition:offset" in canonical decimal' };
  const partition = Number(match[1]);
  const offset = BigInt(match[2]);
  if (!isValidPartition(partition))
    return { ok: false, reason: `partition ${match[1]} is above ${MAX_PARTITION}` };
  if (!isValidOffset(offset)) return { ok: false, reason: `offset ${match[2]} is above ${MAX_OFFSET}` };
  return { ok: true, value: { partition, offset } };
}
