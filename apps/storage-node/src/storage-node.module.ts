import { type DynamicModule, Module } from '@nestjs/common';
import { HealthRegistry, type JsonLogger, KafkaGateway, PlatformModule } from '@shardcast/platform';
import { AccessSummaryPublisher } from './access/access-summary.publisher.js';
import { CheckpointAdminController } from './checkpoints/checkpoint-admin.controller.js';
import { CheckpointCatalogRepository } from './checkpoints/checkpoint-catalog.repository.js';
import { CreateCheckpointCatalog1732400000000 } from './checkpoints/checkpoint-catalog.migration.js';
import { CheckpointService } from './checkpoints/checkpoint.service.js';
import { ChunkController } from './checkpoints/chunk.controller.js';
import { ChunkTransport } from './checkpoints/chunk-transport.js';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from './config/storage-node.config.js';
import { JobsConsumer } from './jobs/jobs.consumer.js';
import { NodeHealthPublisher } from './health/node-health.publisher.js';
import { DataPlaneHttpSetup } from './http/data-plane-http.setup.js';
import { ApplyLoopService } from './kv/apply-loop.service.js';
import { ApplyProgress } from './kv/apply-progress.js';
import { KvLogOffsets } from './kv/kv-log.offsets.js';
import { KvLogWriter } from './kv/kv-log.writer.js';
import { KvController } from './kv/kv.controller.js';
import { KvService } from './kv/kv.service.js';
import { PeerDirectoryService } from './peers/peer-directory.service.js';
import { ReplicaSetService } from './replicas/replica-set.service.js';
import { ShardAdminController } from './replicas/shard-admin.controller.js';
import { ShardMapConsumer } from './replicas/shardmap.consumer.js';
import { TierDirectories } from './tiers/tier-directories.js';

@Module({})
export class StorageNodeModule {
  static register(config: StorageNodeConfig, logger: JsonLogger): DynamicModule {
    return {
      module: StorageNodeModule,
      imports: [
        PlatformModule.forRoot({
          service: 'storage-node',
          config,
          logger,
          migrations: [CreateCheckpointCatalog1732400000000],
        }),
      ],
      controllers: [KvController, ShardAdminController, ChunkController, CheckpointAdminController],
      providers: [
        { provide: STORAGE_NODE_CONFIG, useValue: config },
        {
          provide: TierDirectories,
          useFactory: (health: HealthRegistry) => {
            const tiers = new TierDirectories({ fast: config.FAST_TIER_DIR, slow: config.SLOW_TIER_DIR });
            health.addDetail('node', () => ({
              nodeId: config.NODE_ID,
              fastTier: tiers.fast,
              slowTier: tiers.slow,
            }));
            return tiers;
          },
          inject: [HealthRegistry],
        },
        {
          provide: KvLogOffsets,
          useFactory: (gateway: KafkaGateway) => new KvLogOffsets(gateway),
          inject: [KafkaGateway],
        },
        { provide: ApplyProgress, useValue: new ApplyProgress() },
        DataPlaneHttpSetup,
        ReplicaSetService,
        ApplyLoopService,
        KvLogWriter,
        KvService,
        PeerDirectoryService,
        AccessSummaryPublisher,
        ShardMapConsumer,
        ChunkTransport,
        CheckpointCatalogRepository,
        CheckpointService,
        NodeHealthPublisher,
        JobsConsumer,
        {
          provide: 'storage-node.health',
          useFactory: (health: HealthRegistry, replicaSet: ReplicaSetService) => {
            health.addCheck('replicas', async () => {
              const replicas = replicaSet.all().filter((replica) => replica.state === 'serving');
              const notReadable = replicas.filter((replica) => !replica.readable);
              return notReadable.length === 0
                ? { up: true, detail: `${replicas.length} replica(s) serving` }
                : {
                    up: false,
                    detail: `not readable yet: ${notReadable.map((replica) => `${replica.shardId}${replica.stalled ? ` (stalled: ${replica.stalled})` : ' (catching up)'}`).join(', ')}`,
                  };
            });
            return health;
          },
          inject: [HealthRegistry, ReplicaSetService],
        },
      ],
    };
  }
}
