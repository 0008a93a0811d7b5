import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type ShardStateV1 } from '@shardcast/contracts';
import { type ConsumerHandle, KafkaGateway } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { type KnownShardState } from './domain/shard-map.view.js';
import { ReplicaSetService } from './replica-set.service.js';

/**
 * Follows `shardmap`: each message is a shard's whole state at an epoch; the replica set
 * keeps the newest per shard (older epochs are ignored) and creates, derives, moves or
 * retires replicas to match what the map assigns this node.
 */
@Injectable()
export class ShardMapConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private handle: ConsumerHandle | undefined;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.FOLLOW_SHARDMAP) return;
    this.handle = this.gateway.runConsumer({
      topic: 'shardmap',
      groupId: `${this.gateway.topicPrefix}storage-node.${this.config.NODE_ID}.shardmap`,
      fromBeginning: true,
      handle: async (events) => {
        await this.replicaSet.applyShardStates(events.map((event) => toKnownState(event.value)));
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.handle?.stop();
  }
}

export function toKnownState(state: ShardStateV1): KnownShardState {
  return {
    shardId: state.shardId,
    epoch: state.epoch,
    lo: BigInt(state.range.lo),
    hi: BigInt(state.range.hi),
    status: state.status,
    replicas: state.replicas.map((replica) => ({ nodeId: replica.nodeId, tier: replica.tier })),
  };
}
