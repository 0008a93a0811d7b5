import { type LogPosition, samePosition } from './log-position.model.js';
import { type LogRecord } from './log-record.codec.js';
import { type StoredValue } from './stored-value.codec.js';

export type ConflictReason =
  /** If-Match named a version that is no longer (or never was) the key's current one. */
  | 'version-mismatch'
  /** If-Match on a key that does not exist or is deleted. */
  | 'key-missing'
  /** If-None-Match: * on a key that exists. */
  | 'key-exists';

export type ApplyDecision =
  /**
   * `newValue` is the key's state after the record; undefined = still absent. When
   * `changed` is false there is nothing to write (a delete of a missing or deleted key).
   */
  | { readonly kind: 'applied'; readonly newValue: StoredValue | undefined; readonly changed: boolean }
  /** Not applied; the log offset still counts as consumed. */
  | {
      readonly kind: 'conflict';
      readonly reason: ConflictReason;
      readonly currentVersion: LogPosition | undefined;
    }
  /**
   * The key already holds this record's effect or a later one from the same partition. A
   * key's records all live in one partition, so this only happens when a record is seen
   * again; re-checking its condition then would report a false conflict.
   */
  | { readonly kind: 'already-applied'; readonly currentVersion: LogPosition };

/**
 * Decides a record's effect from the record, the key's stored state and the record's own
 * log position only. Replicas apply the same records in the same order, so they reach the
 * same decisions and the same state without talking to each other.
 */
export function decideApply(
  record: LogRecord,
  current: StoredValue | undefined,
  position: LogPosition,
): ApplyDecision {
  if (
    current !== undefined &&
    current.version.partition === position.partition &&
    current.version.offset >= position.offset
  ) {
    return { kind: 'already-applied', currentVersion: current.version };
  }

  const live = current !== undefined && !current.tombstone ? current : undefined;
  const condition = record.condition;
  switch (condition.kind) {
    case 'none':
      break;
    case 'if-match':
      if (live === undefined) return { kind: 'conflict', reason: 'key-missing', currentVersion: undefined };
      if (!samePosition(live.version, condition.version)) {
        return { kind: 'conflict', reason: 'version-mismatch', currentVersion: live.version };
      }
      break;
    case 'if-none-match':
      if (live !== undefined) return { kind: 'conflict', reason: 'key-exists', currentVersion: live.version };
      break;
    default:
      return assertNever(condition);
  }

  switch (record.op) {
    case 'put':
      return {
        kind: 'applied',
        newValue: { value: record.value, version: position, tombstone: false },
        changed: true,
      };
    case 'delete':
      if (live === undefined) return { kind: 'applied', newValue: current, changed: false };
      return {
        kind: 'applied',
        newValue: { value: Buffer.alloc(0), version: position, tombstone: true },
        changed: true,
      };
    default:
      return assertNever(record);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
