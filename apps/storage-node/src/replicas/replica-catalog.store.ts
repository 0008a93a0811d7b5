import { mkdirSync } from 'node:fs';
import { type Database, open, type RootDatabase } from 'lmdb';
import { type Tier } from './domain/shard-descriptor.model.js';
import { type KnownShardState } from './domain/shard-map.view.js';

/** A replica the node keeps across restarts; replicas being built are not listed until promoted. */
export interface CatalogReplica {
  readonly replicaId: string;
  readonly shardId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly epoch: number;
  readonly tier: Tier;
  readonly state: 'serving' | 'retiring';
  readonly retiredAtMs?: number;
  readonly gapPolicy: 'stop' | 'accept';
}

interface CatalogReplicaJson extends Omit<CatalogReplica, 'lo' | 'hi'> {
  readonly lo: string;
  readonly hi: string;
}

interface KnownShardStateJson extends Omit<KnownShardState, 'lo' | 'hi'> {
  readonly lo: string;
  readonly hi: string;
}

export interface CatalogChange {
  readonly put?: readonly CatalogReplica[];
  readonly remove?: readonly string[];
  readonly shardStates?: readonly KnownShardState[];
  readonly markStaticMapCreated?: boolean;
}

const REPLICA = 'replica:';
const SHARD_STATE = 'shard-state:';
const STATIC_MAP_CREATED = 'static-map-created';

/**
 * The node's own record of which replica directories are live, in a small LMDB environment
 * of its own. Every local operation (create, split, merge, tier move, restore, drop) builds
 * its new replicas in fresh directories and then switches the catalog in one transaction:
 * that commit is the operation's single point of no return. At start, any replica
 * directory the catalog does not list is an operation that never committed, and is removed.
 */
export class ReplicaCatalogStore {
  private readonly env: RootDatabase;
  private readonly db: Database<string, string>;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.env = open({ path: dir, maxDbs: 2 });
    this.db = this.env.openDB<string, string>({ name: 'catalog', encoding: 'string' });
  }

  replicas(): CatalogReplica[] {
    return [...this.db.getRange({ start: REPLICA, end: `${REPLICA}\uffff` })].map(({ value }) => {
      const json = JSON.parse(value) as CatalogReplicaJson;
      return { ...json, lo: BigInt(json.lo), hi: BigInt(json.hi) };
    });
  }

  shardStates(): KnownShardState[] {
    return [...this.db.getRange({ start: SHARD_STATE, end: `${SHARD_STATE}\uffff` })].map(({ value }) => {
      const json = JSON.parse(value) as KnownShardStateJson;
      return { ...json, lo: BigInt(json.lo), hi: BigInt(json.hi) };
    });
  }

  staticMapCreated(): boolean {
    return this.db.get(STATIC_MAP_CREATED) === '1';
  }

  /** Applies every part of the change in one transaction. */
  async apply(change: CatalogChange): Promise<void> {
    await this.env.transaction(() => {
      for (const replicaId of change.remove ?? []) void this.db.remove(`${REPLICA}${replicaId}`);
      for (const replica of change.put ?? []) {
        const json: CatalogReplicaJson = { ...replica, lo: replica.lo.toString(), hi: replica.hi.toString() };
        void this.db.put(`${REPLICA}${replica.replicaId}`, JSON.stringify(json));
      }
      for (const state of change.shardStates ?? []) {
        const json: KnownShardStateJson = { ...state, lo: state.lo.toString(), hi: state.hi.toString() };
        void this.db.put(`${SHARD_STATE}${state.shardId}`, JSON.stringify(json));
      }
      if (change.markStaticMapCreated) void this.db.put(STATIC_MAP_CREATED, '1');
    });
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}
