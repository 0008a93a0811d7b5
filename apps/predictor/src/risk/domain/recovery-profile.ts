export interface ShardOnNode {
  readonly shardId: string;
  /** Long-run time-decayed access rate (the profiler's heat). */
  readonly heat: number;
  /** Short-half-life access rate: what clients are doing now. */
  readonly recentHeat: number;
  readonly sizeBytes: number;
  readonly lastAccessMs: number;
}

export interface RecoveryProfileOptions {
  /** Weight of recentHeat against heat (default 0.7): a recovery should restore what is in use now. */
  readonly recentWeight?: number;
  /** Heat of a shard left idle halves every this long (default 1 h). */
  readonly idleHalfLifeMs?: number;
  /** Bytes a fast-restore checkpoint or shadow copy can hold; entries beyond it are flagged. */
  readonly budgetBytes?: number;
}

export interface RecoveryProfileEntry {
  readonly shardId: string;
  readonly rank: number;
  /** nodeRisk × effective heat: expected hot load lost to a failure, comparable across nodes. */
  readonly score: number;
  readonly effectiveHeat: number;
  /** This shard's share of the node's effective heat. */
  readonly heatShare: number;
  readonly sizeBytes: number;
  /** Bytes restored up to and including this shard, in order. */
  readonly cumulativeBytes: number;
  readonly withinBudget: boolean;
}

/**
 * What a recovery of this node would need first: hottest first, with heat weighted towards
 * recent access and decayed by idle time. Equal heat goes to the smaller shard (it is back
 * sooner), then by id for a stable order.
 */
export function rankRecoveryProfile(
  nodeRisk: number,
  shards: readonly ShardOnNode[],
  nowMs: number,
  options: RecoveryProfileOptions = {},
): RecoveryProfileEntry[] {
  if (!(nodeRisk >= 0 && nodeRisk <= 1)) throw new RangeError('nodeRisk must be in [0, 1]');
  const recentWeight = options.recentWeight ?? 0.7;
  const halfLife = options.idleHalfLifeMs ?? 3_600_000;
  const budget = options.budgetBytes ?? Number.POSITIVE_INFINITY;
  const weighted = shards.map((shard) => {
    const idleMs = Math.max(0, nowMs - shard.lastAccessMs);
    const blended = recentWeight * shard.recentHeat + (1 - recentWeight) * shard.heat;
    return { shard, effectiveHeat: Math.max(0, blended) * 0.5 ** (idleMs / halfLife) };
  });
  const totalHeat = weighted.reduce((total, w) => total + w.effectiveHeat, 0);
  weighted.sort(
    (a, b) =>
      b.effectiveHeat - a.effectiveHeat ||
      a.shard.sizeBytes - b.shard.sizeBytes ||
      a.shard.shardId.localeCompare(b.shard.shardId),
  );
  let cumulativeBytes = 0;
  return weighted.map(({ shard, effectiveHeat }, index) => {
    cumulativeBytes += shard.sizeBytes;
    return {
      shardId: shard.shardId,
      rank: index + 1,
      score: nodeRisk * effectiveHeat,
      effectiveHeat,
      heatShare: totalHeat > 0 ? effectiveHeat / totalHeat : 0,
      sizeBytes: shard.sizeBytes,
      cumulativeBytes,
      withinBudget: cumulativeBytes <= budget,
    };
  });
}
