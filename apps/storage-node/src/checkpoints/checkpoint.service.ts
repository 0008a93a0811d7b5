import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { partitionsOverlapping } from '@shardcast/contracts';
import { ApiError, JsonLogger } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { PeerDirectoryService } from '../peers/peer-directory.service.js';
import { type OperationView, ReplicaSetService } from '../replicas/replica-set.service.js';
import { type Tier } from '../tiers/tier-directories.js';
import { CheckpointCatalogRepository } from './checkpoint-catalog.repository.js';
import { ChunkTransport } from './chunk-transport.js';
import {
  buildManifest,
  type CheckpointKind,
  type CheckpointManifest,
  encodeSnapshotEntry,
  manifestAppliedOffsets,
  manifestRange,
  type PackedChunk,
  RestoreError,
  type RestoreReport,
  selectBackupNodes,
  SnapshotDecoder,
  SnapshotPacker,
  streamRestoreFromManifest,
} from './domain/index.js';

export interface CheckpointCreated {
  readonly manifest: CheckpointManifest;
  readonly locations: Record<string, readonly string[]>;
  readonly chunksUploaded: number;
  readonly chunksAlreadyStored: number;
}

export type VerifyOutcome =
  | { readonly status: 'ok'; readonly report: RestoreReport }
  | { readonly status: 'corrupt'; readonly error: RestoreFailure };

export interface RestoreFailure {
  readonly code: RestoreError['code'];
  readonly message: string;
  readonly detail: Record<string, unknown>;
}

export type RestoreOutcome =
  | {
      readonly status: 'done' | 'catching-up';
      readonly operation: OperationView;
      readonly report: RestoreReport | undefined;
    }
  | {
      readonly status: 'failed';
      readonly operation: OperationView;
      readonly error: RestoreFailure | undefined;
    };

/**
 * Checkpoints of shard replicas: a consistent snapshot and its applied offsets, cut into
 * content-addressed compressed chunks stored on backup nodes (never a node holding the
 * shard), listed in a manifest in the catalog; and restores that fetch the chunks in
 * parallel, verify each one and the whole content, then catch up from kv.log.
 *
 * Restores are exact only while kv.log still holds every record after the checkpoint's
 * offsets: kv.log is compacted after `min.compaction.lag.ms` (1 day), so checkpoints must
 * be taken more often than that; a replica that finds a hole stops and says so.
 */
@Injectable()
export class CheckpointService {
  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(PeerDirectoryService) private readonly peers: PeerDirectoryService,
    @Inject(ChunkTransport) private readonly transport: ChunkTransport,
    @Inject(CheckpointCatalogRepository) private readonly catalog: CheckpointCatalogRepository,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async create(shardId: string, options: { tier: Tier; kind: CheckpointKind }): Promise<CheckpointCreated> {
    const replica = this.replicaSet.served().find((candidate) => candidate.shardId === shardId);
    if (replica === undefined)
      throw new ApiError(404, 'not_found', `this node serves no replica of ${shardId}`);
    const candidates = [...this.peers.peers.map((peer) => peer.nodeId), this.config.NODE_ID].map(
      (nodeId) => ({ nodeId, weight: 1 }),
    );
    const shardReplicaNodeIds = [this.config.NODE_ID, ...this.peers.nodesHolding(shardId)];

    const checkpointId = `${shardId}.${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    const locations: Record<string, readonly string[]> = {};
    const listed: PackedChunk[] = [];
    let uploaded = 0;
    let alreadyStored = 0;
    const place = async (chunk: PackedChunk): Promise<void> => {
      listed.push({ ...chunk, blob: Buffer.alloc(0) });
      if (locations[chunk.hash] !== undefined) return;
      const selection = selectBackupNodes(chunk.hash, candidates, {
        shardReplicaNodeIds,
        copies: this.config.BACKUP_COPIES,
      });
      if (!selection.ok) {
        throw new ApiError(
          409,
          'conflict',
          `need ${selection.required} backup nodes that do not hold ${shardId}, have ${selection.eligible} (PEERS)`,
        );
      }
      await Promise.all(
        selection.nodeIds.map(async (nodeId) => {
          // Content addressing: a chunk already there (from an older checkpoint) is not sent again.
          if (await this.transport.has(nodeId, chunk.hash)) alreadyStored += 1;
          else {
            await this.transport.put(nodeId, options.tier, chunk.hash, chunk.size, chunk.blob);
            uploaded += 1;
          }
        }),
      );
      locations[chunk.hash] = selection.nodeIds;
    };

    const release = replica.lease();
    const snapshot = replica.store.snapshot();
    let manifest: CheckpointManifest;
    try {
      const packer = new SnapshotPacker();
      for (const { key, value } of snapshot.entries()) {
        for (const chunk of packer.push(encodeSnapshotEntry(key, value))) await place(chunk);
      }
      const last = packer.finish();
      for (const chunk of last.chunks) await place(chunk);
      const partitions = partitionsOverlapping(
        { lo: replica.lo, hi: replica.hi },
        this.config.KV_LOG_PARTITIONS,
      );
      manifest = buildManifest({
        checkpointId,
        shardId,
        range: { lo: replica.lo, hi: replica.hi },
        appliedOffsets: new Map(
          [...snapshot.appliedOffsets].filter(([partition]) => partitions.includes(partition)),
        ),
        createdAtMs: Date.now(),
        tier: options.tier,
        kind: options.kind,
        chunks: listed,
        contentHash: last.summary.contentHash,
      });
    } finally {
      snapshot.release();
      release();
    }
    await this.catalog.insert({ manifest, locations, nodeId: this.config.NODE_ID });
    this.logger.event(
      'info',
      'checkpoint created',
      {
        checkpointId,
        shardId,
        chunks: manifest.chunks.length,
        uploaded,
        alreadyStored,
        contentHash: manifest.contentHash,
      },
      'Checkpoints',
    );
    return { manifest, locations, chunksUploaded: uploaded, chunksAlreadyStored: alreadyStored };
  }

  async describe(
    checkpointId: string,
  ): Promise<{ manifest: CheckpointManifest; locations: Readonly<Record<string, readonly string[]>> }> {
    const entry = await this.catalog.find(checkpointId);
    if (entry === undefined)
      throw new ApiError(404, 'not_found', `no checkpoint ${checkpointId} in the catalog`);
    return { manifest: entry.manifest, locations: entry.locations };
  }

  /** Fetches and checks every chunk and the whole content, without writing anything. */
  async verify(checkpointId: string): Promise<VerifyOutcome> {
    const { manifest, locations } = await this.describe(checkpointId);
    try {
      const report = await streamRestoreFromManifest(
        manifest,
        (hash, nodeId) => this.transport.fetch(nodeId, hash),
        {
          parallelism: this.config.RESTORE_PARALLELISM,
          locateChunk: (hash) => locations[hash] ?? [],
          sink: () => undefined,
        },
      );
      return { status: 'ok', report };
    } catch (error) {
      if (error instanceof RestoreError) return { status: 'corrupt', error: describeFailure(error) };
      throw error;
    }
  }

  /**
   * Builds this node's replica of the checkpoint's shard from its chunks, then lets it
   * catch up from kv.log before it serves. Nothing unverified is ever served: the replica
   * is written to a fresh directory and discarded if a chunk or the content hash is wrong.
   */
  async restore(
    checkpointId: string,
    options: { tier: Tier | undefined; waitMs: number },
  ): Promise<RestoreOutcome> {
    const { manifest, locations } = await this.describe(checkpointId);
    const range = manifestRange(manifest);
    let failure: RestoreFailure | undefined;
    let report: RestoreReport | undefined;
    const epoch = this.replicaSet.shardMapView().get(manifest.shardId)?.epoch ?? 0;
    let started: OperationView;
    try {
      started = this.replicaSet.restore(
        { shardId: manifest.shardId, lo: range.lo, hi: range.hi, epoch, tier: options.tier ?? manifest.tier },
        async (store) => {
          const decoder = new SnapshotDecoder();
          try {
            report = await streamRestoreFromManifest(
              manifest,
              (hash, nodeId) => this.transport.fetch(nodeId, hash),
              {
                parallelism: this.config.RESTORE_PARALLELISM,
                locateChunk: (hash) => locations[hash] ?? [],
                // Verified chunk by chunk, and the whole content at the end: until then the
                // store is a staging copy that is thrown away on any failure.
                sink: async (chunk) => {
                  await store.load(decoder.push(chunk));
                },
              },
            );
            decoder.finish();
          } catch (error) {
            if (error instanceof RestoreError) failure = describeFailure(error);
            throw error;
          }
          return manifestAppliedOffsets(manifest);
        },
      );
    } catch (error) {
      throw asApiError(error);
    }
    const operation = await this.replicaSet.awaitOperation(started.operationId, options.waitMs);
    if (operation.status === 'failed') {
      this.logger.event(
        'warn',
        'restore failed',
        { checkpointId, code: failure?.code, detail: operation.detail },
        'Checkpoints',
      );
      return { status: 'failed', operation, error: failure };
    }
    if (report !== undefined && report.warnings.length > 0) {
      this.logger.event(
        'warn',
        'restored from a second copy: a stored chunk copy is bad',
        { checkpointId, warnings: report.warnings },
        'Checkpoints',
      );
    }
    return { status: operation.status === 'done' ? 'done' : 'catching-up', operation, report };
  }
}

function describeFailure(error: RestoreError): RestoreFailure {
  const detail: Record<string, unknown> = { ...error };
  delete detail.message;
  delete detail.stack;
  return { code: error.code, message: error.message, detail };
}

function asApiError(error: unknown): unknown {
  if (error instanceof Error && error.name === 'ReplicaOperationError') {
    const code = (error as Error & { code: string }).code;
    return new ApiError(
      code === 'not-found' ? 404 : code === 'conflict' ? 409 : 400,
      code === 'not-found' ? 'not_found' : code === 'conflict' ? 'conflict' : 'bad_request',
      error.message,
    );
  }
  return error;
}
