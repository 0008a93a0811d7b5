import { describe, expect, it } from 'vitest';
import { type HeldReplica, planReconcile } from './shard-assignment.reconciler.js';
import { evolveShardMap, type KnownShardState, type ShardMapView } from './shard-map.view.js';

const state = (
  shardId: string,
  lo: bigint,
  hi: bigint,
  epoch: number,
  nodes: string[],
  status: 'active' | 'retired' = 'active',
  tier: 'fast' | 'slow' = 'fast',
): KnownShardState => ({
  shardId,
  epoch,
  lo,
  hi,
  status,
  replicas: nodes.map((nodeId) => ({ nodeId, tier })),
});
const held = (shardId: string, lo: bigint, hi: bigint, extra: Partial<HeldReplica> = {}): HeldReplica => ({
  replicaId: `${shardId}~1`,
  shardId,
  lo,
  hi,
  epoch: 0,
  tier: 'fast',
  state: 'serving',
  appliedOffsets: new Map(),
  ...extra,
});
const viewOf = (...states: KnownShardState[]): ShardMapView =>
  new Map(states.map((entry) => [entry.shardId, entry]));

describe('following the shard map', () => {
  it('ignores an event whose epoch is not above the one held', () => {
    const view = viewOf(state('s', 0n, 10n, 3, ['n1']));
    expect(evolveShardMap(view, state('s', 0n, 10n, 3, ['n2']))).toEqual({ kind: 'stale', heldEpoch: 3 });
    expect(evolveShardMap(view, state('s', 0n, 10n, 2, ['n2']))).toEqual({ kind: 'stale', heldEpoch: 3 });
    const next = evolveShardMap(view, state('s', 0n, 10n, 4, ['n2']));
    expect(next.kind === 'changed' && next.view.get('s')?.replicas).toEqual([{ nodeId: 'n2', tier: 'fast' }]);
  });

  it('given a held shard split by the map, when reconciling, then both halves are derived from it and it is not retired before them', () => {
    const view = viewOf(
      state('s', 0n, 100n, 2, ['n1'], 'retired'),
      state('s-a', 0n, 50n, 2, ['n1']),
      state('s-b', 50n, 100n, 2, ['n1']),
    );
    const actions = planReconcile('n1', view, [held('s', 0n, 100n)]);
    expect(actions).toEqual([
      {
        kind: 'derive',
        target: { shardId: 's-a', epoch: 2, lo: 0n, hi: 50n, tier: 'fast' },
        plan: { slices: [{ replicaId: 's~1', lo: 0n, hi: 50n }] },
      },
      {
        kind: 'derive',
        target: { shardId: 's-b', epoch: 2, lo: 50n, hi: 100n, tier: 'fast' },
        plan: { slices: [{ replicaId: 's~1', lo: 50n, hi: 100n }] },
      },
    ]);
  });

  it('given a shard assigned with nothing held to copy, then it is created empty (to replay the log)', () => {
    expect(planReconcile('n1', viewOf(state('t', 0n, 10n, 1, ['n1'])), [])).toEqual([
      { kind: 'create-empty', target: { shardId: 't', epoch: 1, lo: 0n, hi: 10n, tier: 'fast' } },
    ]);
  });

  it('given a tier change and a newer epoch for a held shard, then it moves and takes the epoch', () => {
    const actions = planReconcile('n1', viewOf(state('s', 0n, 10n, 5, ['n1'], 'active', 'slow')), [
      held('s', 0n, 10n),
    ]);
    expect(actions).toEqual([
      { kind: 'move-tier', replicaId: 's~1', tier: 'slow' },
      { kind: 'set-epoch', replicaId: 's~1', epoch: 5 },
    ]);
  });

  it('given a shard moved to another node, then it is retired here; shards the map never named are kept', () => {
    const actions = planReconcile('n1', viewOf(state('s', 0n, 10n, 5, ['n2'])), [
      held('s', 0n, 10n),
      held('static', 10n, 20n),
    ]);
    expect(actions).toEqual([{ kind: 'retire', replicaId: 's~1' }]);
  });

  it('given a derivation already in progress, then it is not started again', () => {
    const view = viewOf(state('t', 0n, 10n, 1, ['n1']));
    expect(planReconcile('n1', view, [held('t', 0n, 10n, { state: 'pending', replicaId: 't~2' })])).toEqual(
      [],
    );
  });
});
