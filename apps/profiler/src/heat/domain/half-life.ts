import type { DecayedRateState } from './decayed-rate.js';
import { assertHalfLife } from './decayed-rate.js';
import type { HeatMapState } from './heat-map.js';
import type { ShardHeatState } from './shard-heat.js';

/**
 * Re-expresses persisted heat under a new half-life while keeping every current rate.
 *
 * A rate is `A · ln2 / h`, so keeping `r` when `h` becomes `h'` means scaling every decayed quantity
 * `A` by `h'/h`: the rates, the sampled-hash count, the histogram weights (only their shares matter)
 * and the heavy-hitter counters with their error terms. History then fades at the new speed from now
 * on; it cannot be re-weighted retroactively because the individual observations are gone.
 */
export function shardHeatWithHalfLife(state: ShardHeatState, halfLifeMs: number): ShardHeatState {
  assertHalfLife(halfLifeMs);
  const factor = halfLifeMs / state.reads.halfLifeMs;
  if (factor === 1) return state;
  const rate = (r: DecayedRateState): DecayedRateState => ({
    halfLifeMs,
    decayedCount: r.decayedCount * factor,
    lastMs: r.lastMs,
  });
  return {
    ...state,
    reads: rate(state.reads),
    writes: rate(state.writes),
    bytes: rate(state.bytes),
    samples: rate(state.samples),
    histogram: {
      ...state.histogram,
      halfLifeMs,
      weights: state.histogram.weights.map((w) => w * factor),
    },
    topKeys: {
      ...state.topKeys,
      totalWeight: state.topKeys.totalWeight * factor,
      floor: state.topKeys.floor * factor,
      entries: state.topKeys.entries.map((e) => ({
        key: e.key,
        count: e.count * factor,
        error: e.error * factor,
      })),
    },
  };
}

export function heatMapWithHalfLife(state: HeatMapState, halfLifeMs: number): HeatMapState {
  return {
    version: state.version,
    shards: state.shards.map(({ shardId, heat }) => ({
      shardId,
      heat: shardHeatWithHalfLife(heat, halfLifeMs),
    })),
  };
}
