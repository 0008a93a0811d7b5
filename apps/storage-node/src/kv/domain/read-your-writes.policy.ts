import { type AppliedOffsets, type LogPosition } from './log-position.model.js';

export type ReadReadiness =
  | {
      readonly ready: true;
      /**
       * `token-for-other-partition`: a key's records all live in its hash's partition, so
       * a write elsewhere cannot change what this read returns.
       */
      readonly because: 'token-applied' | 'token-for-other-partition';
    }
  | {
      readonly ready: false;
      readonly partition: number;
      readonly appliedOffset: bigint | undefined;
      readonly waitForOffset: bigint;
    };

/** Whether a read of a key in `keyPartition` that carries `token` may be served from this replica now. */
export function readReadiness(
  token: LogPosition,
  keyPartition: number,
  applied: AppliedOffsets,
): ReadReadiness {
  if (token.partition !== keyPartition) return { ready: true, because: 'token-for-other-partition' };
  const appliedOffset = applied.get(token.partition);
  if (appliedOffset !== undefined && appliedOffset >= token.offset)
    return { ready: true, because: 'token-applied' };
  return { ready: false, partition: token.partition, appliedOffset, waitForOffset: token.offset };
}

/**
 * `consistency=strong`: the position to wait for, given the partition's high watermark (the
 * next offset to be written) taken when the request arrived; undefined for an empty partition.
 */
export function strongReadTarget(partition: number, highWatermark: bigint): LogPosition | undefined {
  if (highWatermark < 0n) throw new RangeError(`high watermark ${highWatermark} is negative`);
  return highWatermark === 0n ? undefined : { partition, offset: highWatermark - 1n };
}
