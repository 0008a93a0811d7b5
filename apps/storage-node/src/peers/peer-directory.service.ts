import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { holdersOf } from '../replicas/domain/shard-map.view.js';
import { ReplicaSetService } from '../replicas/replica-set.service.js';
import { type Peer } from './domain/peer-list.parser.js';

/** What a peer said it holds, the last time it was asked. */
interface PeerReplica {
  readonly shardId: string;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly readable: boolean;
}

const REFRESH_MS = 2_000;

/**
 * Which peer holds which hash ranges: each peer's own `GET /v1/admin/shards`, asked every
 * few seconds, and the shard map when one has been published. Used to forward reads and
 * conditional-write outcomes to a node that holds the key's shard.
 */
@Injectable()
export class PeerDirectoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly held = new Map<string, readonly PeerReplica[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  get peers(): readonly Peer[] {
    return this.config.PEERS;
  }

  peer(nodeId: string): Peer | undefined {
    return this.config.PEERS.find((peer) => peer.nodeId === nodeId);
  }

  onApplicationBootstrap(): void {
    if (this.config.PEERS.length === 0) return;
    const tick = (): void => {
      void this.refresh().finally(() => {
        this.timer = setTimeout(tick, REFRESH_MS);
        this.timer.unref();
      });
    };
    tick();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }

  /**
   * Peers to try for a hash, best first: those that reported a readable replica of it, then
   * those the shard map names, then (when nothing is known yet) every peer.
   */
  holdersOf(hash: bigint): Peer[] {
    const reported = this.config.PEERS.filter((peer) =>
      (this.held.get(peer.nodeId) ?? []).some(
        (replica) => replica.readable && hash >= replica.lo && hash < replica.hi,
      ),
    );
    if (reported.length > 0) return reported;
    const mapped = holdersOf(this.replicaSet.shardMapView(), hash)
      .map((nodeId) => this.peer(nodeId))
      .filter((peer): peer is Peer => peer !== undefined);
    if (mapped.length > 0) return mapped;
    return this.held.size === 0 ? [...this.config.PEERS] : [];
  }

  /** Node ids of peers that reported a replica of the shard (for backup placement). */
  nodesHolding(shardId: string): string[] {
    return [...this.held]
      .filter(([, replicas]) => replicas.some((replica) => replica.shardId === shardId))
      .map(([nodeId]) => nodeId);
  }

  async refresh(): Promise<void> {
    await Promise.all(
      this.config.PEERS.map(async (peer) => {
        try {
          const response = await fetch(`${peer.url}/v1/admin/shards`, { signal: AbortSignal.timeout(2_000) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const body = (await response.json()) as {
            replicas: {
              shardId: string;
              range: { lo: string; hi: string };
              readable: boolean;
              state: string;
            }[];
          };
          this.held.set(
            peer.nodeId,
            body.replicas
              .filter((replica) => replica.state !== 'pending')
              .map((replica) => ({
                shardId: replica.shardId,
                lo: BigInt(replica.range.lo),
                hi: BigInt(replica.range.hi),
                readable: replica.readable,
              })),
          );
        } catch (error) {
          if (this.held.delete(peer.nodeId)) {
            this.logger.event(
              'warn',
              'peer unreachable',
              { peer: peer.nodeId, error: (error as Error).message },
              'Peers',
            );
          }
        }
      }),
    );
  }
}
