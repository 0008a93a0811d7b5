import { type Tier } from './shard-descriptor.model.js';

/** The latest state this node has seen of one shard, from the `shardmap` topic. */
export interface KnownShardState {
  readonly shardId: string;
  readonly epoch: number;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly status: 'active' | 'retired';
  readonly replicas: readonly { readonly nodeId: string; readonly tier: Tier }[];
}

/** Every shard this node has heard of, by id. */
export type ShardMapView = ReadonlyMap<string, KnownShardState>;

export type ShardMapEvolution =
  | { readonly kind: 'changed'; readonly view: ShardMapView }
  /** The event's epoch is not above the one held: a replay or a message from a deposed leader. */
  | { readonly kind: 'stale'; readonly heldEpoch: number };

/** Folds one shard-state event into the view; an event with an epoch at or below the known one changes nothing. */
export function evolveShardMap(view: ShardMapView, state: KnownShardState): ShardMapEvolution {
  const known = view.get(state.shardId);
  if (known !== undefined && state.epoch <= known.epoch) return { kind: 'stale', heldEpoch: known.epoch };
  const next = new Map(view);
  next.set(state.shardId, state);
  return { kind: 'changed', view: next };
}

/** A shard the map assigns to a node, with the tier it should be on. */
export interface AssignedShard {
  readonly shardId: string;
  readonly epoch: number;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly tier: Tier;
}

export function assignmentsOf(view: ShardMapView, nodeId: string): AssignedShard[] {
  const assigned: AssignedShard[] = [];
  for (const shard of view.values()) {
    if (shard.status !== 'active') continue;
    const replica = shard.replicas.find((candidate) => candidate.nodeId === nodeId);
    if (replica === undefined) continue;
    assigned.push({
      shardId: shard.shardId,
      epoch: shard.epoch,
      lo: shard.lo,
      hi: shard.hi,
      tier: replica.tier,
    });
  }
  return assigned.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
}

/** The nodes the map says hold a readable copy of the hash, for forwarding. */
export function holdersOf(view: ShardMapView, hash: bigint): string[] {
  for (const shard of view.values()) {
    if (shard.status === 'active' && hash >= shard.lo && hash < shard.hi) {
      return shard.replicas.map((replica) => replica.nodeId);
    }
  }
  return [];
}
