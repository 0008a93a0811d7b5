import { type AppliedOffsets } from '../../kv/domain/index.js';
import { type DerivationPlan, planDerivation } from './replica-derivation.planner.js';
import { rangesOverlap, type Tier } from './shard-descriptor.model.js';
import { type AssignedShard, assignmentsOf, type ShardMapView } from './shard-map.view.js';

/** A replica this node holds, as the reconciler sees it. */
export interface HeldReplica {
  readonly replicaId: string;
  readonly shardId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly epoch: number;
  readonly tier: Tier;
  /** serving: in the routing table; retiring: kept for a while as a copy source; pending: being built. */
  readonly state: 'serving' | 'retiring' | 'pending';
  readonly appliedOffsets: AppliedOffsets;
}

export type ReconcileAction =
  /** Build the shard from replicas held here (a split, merge or re-assignment of local data). */
  | { readonly kind: 'derive'; readonly target: AssignedShard; readonly plan: DerivationPlan }
  /** Nothing held covers the shard: start empty and replay kv.log (see decisions.md on compaction). */
  | { readonly kind: 'create-empty'; readonly target: AssignedShard }
  | { readonly kind: 'move-tier'; readonly replicaId: string; readonly tier: Tier }
  | { readonly kind: 'set-epoch'; readonly replicaId: string; readonly epoch: number }
  /** The map no longer gives this node the shard: stop serving it, drop it after the grace period. */
  | { readonly kind: 'retire'; readonly replicaId: string };

/**
 * What this node must do so that what it holds matches what the shard map assigns it.
 * Shards the map has never mentioned (the static map a node starts with) are left alone;
 * shards being built are not started twice.
 */
export function planReconcile(
  nodeId: string,
  view: ShardMapView,
  held: readonly HeldReplica[],
): ReconcileAction[] {
  const actions: ReconcileAction[] = [];
  const desired = assignmentsOf(view, nodeId);
  const desiredIds = new Set(desired.map((shard) => shard.shardId));
  const serving = held.filter((replica) => replica.state === 'serving');
  const sources = held.filter((replica) => replica.state !== 'pending');

  for (const target of desired) {
    if (held.some((replica) => replica.state === 'pending' && replica.shardId === target.shardId)) continue;
    const current = serving.find((replica) => replica.shardId === target.shardId);
    if (current !== undefined && current.lo === target.lo && current.hi === target.hi) {
      if (current.tier !== target.tier)
        actions.push({ kind: 'move-tier', replicaId: current.replicaId, tier: target.tier });
      if (current.epoch < target.epoch)
        actions.push({ kind: 'set-epoch', replicaId: current.replicaId, epoch: target.epoch });
      continue;
    }
    const plan = planDerivation(
      target,
      sources.map((replica) => ({
        replicaId: replica.replicaId,
        lo: replica.lo,
        hi: replica.hi,
        appliedOffsets: replica.appliedOffsets,
      })),
    );
    actions.push(plan === undefined ? { kind: 'create-empty', target } : { kind: 'derive', target, plan });
  }

  const servedIds = new Set(serving.map((replica) => replica.shardId));
  const unbuilt = desired.filter((shard) => !servedIds.has(shard.shardId));
  for (const replica of serving) {
    if (desiredIds.has(replica.shardId)) continue;
    // Only a shard the map knows about can be taken away; the static map's shards stay until it does.
    if (!view.has(replica.shardId)) continue;
    // A replica whose range is being rebuilt here (split, merge) serves until its successors
    // take over: their promotion displaces it, so its range is never left unserved.
    if (unbuilt.some((shard) => rangesOverlap(shard, replica))) continue;
    actions.push({ kind: 'retire', replicaId: replica.replicaId });
  }
  return actions;
}
