import { Inject, Injectable } from '@nestjs/common';
import { initialShards, type ShardStateV1 } from '@shardcast/contracts';
import { JsonLogger, SERVICE_CONFIG } from '@shardcast/platform';
import type { ProfilerConfig } from '../config/profiler.config.js';
import { ShardMap, type ShardMapApplyOutcome } from './domain/shard-map.js';

/**
 * The shard map as this instance knows it: the static initial map, then every record of the
 * `shardmap` topic. Raw events are routed with it, and stage 2 follows it (splits, merges).
 */
@Injectable()
export class ShardMapService {
  readonly map: ShardMap;
  private caughtUp = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    @Inject(SERVICE_CONFIG) config: ProfilerConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.map = ShardMap.initial(initialShards(config.SHARD_COUNT));
  }

  apply(event: ShardStateV1): ShardMapApplyOutcome {
    const outcome = this.map.apply({
      shardId: event.shardId,
      epoch: event.epoch,
      range: { lo: BigInt(event.range.lo), hi: BigInt(event.range.hi) },
      status: event.status,
    });
    if (outcome === 'applied') {
      this.logger.event(
        'info',
        'shard map changed',
        { shardId: event.shardId, epoch: event.epoch, status: event.status },
        'ShardMap',
      );
    }
    return outcome;
  }

  /** Marks the map as having read everything the topic held at start-up. */
  markCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Resolves once caught up, or after `timeoutMs` (false): routing must not wait forever on a missing topic. */
  async waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.caughtUp) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
