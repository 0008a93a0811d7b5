import { Inject, Injectable } from '@nestjs/common';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { PeerDirectoryService } from '../peers/peer-directory.service.js';
import { TierDirectories, type Tier } from '../tiers/tier-directories.js';
import { FileChunkStore } from './file-chunk.store.js';

const TRANSFER_TIMEOUT_MS = 30_000;

/**
 * Moves checkpoint chunk blobs between this node and the backup nodes: this node's own
 * stores directly, a peer's through its `/v1/checkpoint-chunks` endpoints.
 */
@Injectable()
export class ChunkTransport {
  private readonly stores: Record<Tier, FileChunkStore>;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(TierDirectories) tiers: TierDirectories,
    @Inject(PeerDirectoryService) private readonly peers: PeerDirectoryService,
  ) {
    this.stores = { fast: new FileChunkStore(tiers.fast), slow: new FileChunkStore(tiers.slow) };
  }

  store(tier: Tier): FileChunkStore {
    return this.stores[tier];
  }

  /** This node's copy of a chunk, from whichever tier holds it. */
  async getLocal(hash: string): Promise<Buffer | undefined> {
    return (await this.stores.fast.get(hash)) ?? (await this.stores.slow.get(hash));
  }

  async hasLocal(hash: string): Promise<boolean> {
    return (await this.stores.fast.has(hash)) || (await this.stores.slow.has(hash));
  }

  /** The blob as `nodeId` holds it; undefined when it answers that it does not; throws when it cannot be asked. */
  async fetch(nodeId: string, hash: string): Promise<Buffer | undefined> {
    if (nodeId === this.config.NODE_ID) return this.getLocal(hash);
    const response = await fetch(`${this.peerUrl(nodeId)}/v1/checkpoint-chunks/${hash}`, {
      signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${nodeId}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async has(nodeId: string, hash: string): Promise<boolean> {
    if (nodeId === this.config.NODE_ID) return this.hasLocal(hash);
    const response = await fetch(`${this.peerUrl(nodeId)}/v1/checkpoint-chunks/${hash}`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
    });
    return response.status === 200;
  }

  async put(nodeId: string, tier: Tier, hash: string, size: number, blob: Buffer): Promise<void> {
    if (nodeId === this.config.NODE_ID) {
      await this.stores[tier].put(hash, blob);
      return;
    }
    const response = await fetch(
      `${this.peerUrl(nodeId)}/v1/checkpoint-chunks/${tier}/${hash}?size=${size}`,
      {
        method: 'PUT',
        body: blob,
        headers: { 'content-type': 'application/octet-stream' },
        signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
      },
    );
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`${nodeId} refused chunk ${hash}: HTTP ${response.status} ${await response.text()}`);
    }
  }

  private peerUrl(nodeId: string): string {
    const peer = this.peers.peer(nodeId);
    if (peer === undefined) throw new Error(`${nodeId} is not a known peer (PEERS)`);
    return peer.url;
  }
}
