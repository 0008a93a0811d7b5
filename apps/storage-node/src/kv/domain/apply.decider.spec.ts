import { describe, expect, it } from 'vitest';
import { decideApply } from './apply.decider.js';
import { type LogPosition } from './log-position.model.js';
import { type LogRecord, type WriteCondition } from './log-record.codec.js';
import { type StoredValue } from './stored-value.codec.js';

const key = Buffer.from('user:1');
const at = (offset: bigint, partition = 4): LogPosition => ({ partition, offset });
const live = (value: string, version: LogPosition): StoredValue => ({
  value: Buffer.from(value),
  version,
  tombstone: false,
});
const tombstone = (version: LogPosition): StoredValue => ({
  value: Buffer.alloc(0),
  version,
  tombstone: true,
});
const put = (value: string, condition: WriteCondition = { kind: 'none' }): LogRecord => ({
  op: 'put',
  key,
  value: Buffer.from(value),
  condition,
  requestId: 'req',
});
const del = (
  condition: { kind: 'none' } | { kind: 'if-match'; version: LogPosition } = { kind: 'none' },
): LogRecord => ({
  op: 'delete',
  key,
  condition,
  requestId: 'req',
});

describe('decideApply', () => {
  describe('unconditional put', () => {
    it('given no value, when put at offset 10, then the value is stored with version 4:10', () => {
      expect(decideApply(put('a'), undefined, at(10n))).toEqual({
        kind: 'applied',
        newValue: live('a', at(10n)),
        changed: true,
      });
    });

    it('given a tombstone, when put, then the key lives again', () => {
      expect(decideApply(put('b'), tombstone(at(5n)), at(10n))).toEqual({
        kind: 'applied',
        newValue: live('b', at(10n)),
        changed: true,
      });
    });
  });

  describe('If-Match', () => {
    it('given the key at version 4:7, when put if-match 4:7, then it is applied', () => {
      const decision = decideApply(
        put('new', { kind: 'if-match', version: at(7n) }),
        live('old', at(7n)),
        at(10n),
      );
      expect(decision).toEqual({ kind: 'applied', newValue: live('new', at(10n)), changed: true });
    });

    it('given the key at version 4:8, when put if-match the stale 4:7, then it conflicts and names 4:8', () => {
      const decision = decideApply(
        put('new', { kind: 'if-match', version: at(7n) }),
        live('old', at(8n)),
        at(10n),
      );
      expect(decision).toEqual({ kind: 'conflict', reason: 'version-mismatch', currentVersion: at(8n) });
    });

    it('given no key, when put if-match, then it conflicts as missing', () => {
      const decision = decideApply(put('new', { kind: 'if-match', version: at(7n) }), undefined, at(10n));
      expect(decision).toEqual({ kind: 'conflict', reason: 'key-missing', currentVersion: undefined });
    });

    it('given a tombstone at the named version, when put if-match, then it conflicts as missing', () => {
      const decision = decideApply(
        put('new', { kind: 'if-match', version: at(7n) }),
        tombstone(at(7n)),
        at(10n),
      );
      expect(decision).toEqual({ kind: 'conflict', reason: 'key-missing', currentVersion: undefined });
    });

    it('given the key at 4:7, when delete if-match 4:6, then it conflicts and the key is left alone', () => {
      const decision = decideApply(del({ kind: 'if-match', version: at(6n) }), live('v', at(7n)), at(10n));
      expect(decision).toEqual({ kind: 'conflict', reason: 'version-mismatch', currentVersion: at(7n) });
    });
  });

  describe('If-None-Match: *', () => {
    it('given the key exists, when put if-none-match, then it conflicts', () => {
      const decision = decideApply(put('x', { kind: 'if-none-match' }), live('v', at(3n)), at(10n));
      expect(decision).toEqual({ kind: 'conflict', reason: 'key-exists', currentVersion: at(3n) });
    });

    it('given the key was deleted, when put if-none-match, then it is created', () => {
      const decision = decideApply(put('x', { kind: 'if-none-match' }), tombstone(at(3n)), at(10n));
      expect(decision).toEqual({ kind: 'applied', newValue: live('x', at(10n)), changed: true });
    });

    it('given no key, when put if-none-match, then it is created', () => {
      expect(decideApply(put('x', { kind: 'if-none-match' }), undefined, at(10n))).toMatchObject({
        kind: 'applied',
      });
    });
  });

  describe('delete', () => {
    it('given a live key, when deleted, then a tombstone at the delete position replaces it', () => {
      expect(decideApply(del(), live('v', at(3n)), at(10n))).toEqual({
        kind: 'applied',
        newValue: tombstone(at(10n)),
        changed: true,
      });
    });

    it('given no key, when deleted, then it is applied with nothing to write', () => {
      expect(decideApply(del(), undefined, at(10n))).toEqual({
        kind: 'applied',
        newValue: undefined,
        changed: false,
      });
    });

    it('given a tombstone, when deleted again, then it is applied and the tombstone is kept as it was', () => {
      expect(decideApply(del(), tombstone(at(3n)), at(10n))).toEqual({
        kind: 'applied',
        newValue: tombstone(at(3n)),
        changed: false,
      });
    });
  });

  describe('a record seen again', () => {
    it('given the key already written by this very record, when its if-match is replayed, then it is not a conflict', () => {
      const record = put('new', { kind: 'if-match', version: at(7n) });
      const first = decideApply(record, live('old', at(7n)), at(10n));
      if (first.kind !== 'applied' || first.newValue === undefined) throw new Error('expected applied');
      expect(decideApply(record, first.newValue, at(10n))).toEqual({
        kind: 'already-applied',
        currentVersion: at(10n),
      });
    });

    it('given a later write from the same partition, when an older record arrives, then it is skipped', () => {
      expect(decideApply(put('old'), live('newer', at(12n)), at(10n))).toEqual({
        kind: 'already-applied',
        currentVersion: at(12n),
      });
    });
  });

  it('decides the same for every replica given the same inputs', () => {
    const replicaA = decideApply(put('x', { kind: 'if-match', version: at(7n) }), live('v', at(8n)), at(9n));
    const replicaB = decideApply(put('x', { kind: 'if-match', version: at(7n) }), live('v', at(8n)), at(9n));
    expect(replicaA).toEqual(replicaB);
  });
});
