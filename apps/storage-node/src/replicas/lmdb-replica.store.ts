import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { type StoredKeyRange } from '../kv/domain/index.js';

/** What one write transaction on a replica can do; everything in it commits together. */
export interface ReplicaWriteTxn {
  get(storedKey: Buffer): Buffer | undefined;
  put(storedKey: Buffer, storedValue: Buffer): void;
  setAppliedOffset(partition: number, offset: bigint): void;
}

/** A consistent read view of a replica: the entries and the applied offsets as of one moment. */
export interface ReplicaSnapshot {
  readonly appliedOffsets: Map<number, bigint>;
  /** Entries in stored-key order; `range` limits them to a hash range. */
  entries(range?: StoredKeyRange): Iterable<{ key: Buffer; value: Buffer }>;
  /** Must be called: a snapshot holds an LMDB reader slot until then. */
  release(): void;
}

const APPLIED_PREFIX = 'applied:';

/**
 * One shard replica = one LMDB environment in its own directory. The `data` database holds
 * stored keys (hash-prefixed, so a hash range is a key range) and stored values; `meta`
 * holds the applied offset of every partition, written in the same transaction as the
 * records they account for, so after a crash data and offsets always agree.
 */
export class LmdbReplicaStore {
  private readonly env: RootDatabase;
  private readonly data: Database<Buffer, Buffer>;
  private readonly meta: Database<string, string>;

  private constructor(readonly dir: string) {
    this.env = open({ path: dir, maxDbs: 4, keyEncoding: 'binary', encoding: 'binary' });
    this.data = this.env.openDB<Buffer, Buffer>({ name: 'data', keyEncoding: 'binary', encoding: 'binary' });
    this.meta = this.env.openDB<string, string>({ name: 'meta', encoding: 'string' });
  }

  /** Opens (creating if needed) the environment in `dir`. */
  static open(dir: string): LmdbReplicaStore {
    return new LmdbReplicaStore(dir);
  }

  /** The stored value under a stored key, copied out of LMDB's read buffer. */
  get(storedKey: Buffer): Buffer | undefined {
    return this.data.getBinary(storedKey);
  }

  readAppliedOffsets(): Map<number, bigint> {
    return this.offsetsFrom(this.meta.getRange({ start: APPLIED_PREFIX, end: `${APPLIED_PREFIX}\uffff` }));
  }

  /** Runs `write` in one LMDB write transaction and resolves once it has committed. */
  async commit<T>(write: (txn: ReplicaWriteTxn) => T): Promise<T> {
    return this.env.transaction(() =>
      write({
        get: (storedKey) => this.data.getBinary(storedKey),
        put: (storedKey, storedValue) => {
          void this.data.put(storedKey, storedValue);
        },
        setAppliedOffset: (partition, offset) => {
          void this.meta.put(`${APPLIED_PREFIX}${partition}`, offset.toString());
        },
      }),
    );
  }

  /**
   * Bulk load for a replica being built (copy, restore): entries must come in stored-key
   * order. Written in transactions of `batchSize` entries; the replica is not served until
   * it is complete, so a crash in between leaves only a directory to clean up.
   */
  async load(entries: Iterable<{ key: Buffer; value: Buffer }>, batchSize = 10_000): Promise<number> {
    let pending: { key: Buffer; value: Buffer }[] = [];
    let count = 0;
    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      await this.env.transaction(() => {
        for (const entry of batch) void this.data.put(entry.key, entry.value);
      });
    };
    for (const entry of entries) {
      pending.push(entry);
      count += 1;
      if (pending.length >= batchSize) await flush();
    }
    if (pending.length > 0) await flush();
    return count;
  }

  async setAppliedOffsets(offsets: ReadonlyMap<number, bigint>): Promise<void> {
    await this.env.transaction(() => {
      for (const [partition, offset] of offsets)
        void this.meta.put(`${APPLIED_PREFIX}${partition}`, offset.toString());
    });
  }

  snapshot(): ReplicaSnapshot {
    const transaction = this.env.useReadTransaction();
    const appliedOffsets = this.offsetsFrom(
      this.meta.getRange({ start: APPLIED_PREFIX, end: `${APPLIED_PREFIX}\uffff`, transaction }),
    );
    let released = false;
    return {
      appliedOffsets,
      entries: (range) => {
        if (released) throw new Error('snapshot already released');
        return this.data.getRange({ start: range?.start, end: range?.end, transaction }) as Iterable<{
          key: Buffer;
          value: Buffer;
        }>;
      },
      release: () => {
        if (released) return;
        released = true;
        transaction.done();
      },
    };
  }

  entryCount(): number {
    return this.data.getCount();
  }

  /** Bytes of the LMDB data file (its allocated size, not only the live pages). */
  sizeBytes(): number {
    try {
      return statSync(join(this.dir, 'data.mdb')).size;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.env.close();
  }

  private offsetsFrom(entries: Iterable<{ key: string; value: string }>): Map<number, bigint> {
    const offsets = new Map<number, bigint>();
    for (const { key, value } of entries) {
      offsets.set(Number(key.slice(APPLIED_PREFIX.length)), BigInt(value));
    }
    return offsets;
  }
}
