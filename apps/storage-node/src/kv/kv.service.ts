import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { keyHash, partitionForHash } from '@shardcast/contracts';
import { ApiError } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { AccessSummaryPublisher } from '../access/access-summary.publisher.js';
import { type Peer } from '../peers/domain/peer-list.parser.js';
import { PeerDirectoryService } from '../peers/peer-directory.service.js';
import { holdersOf } from '../replicas/domain/shard-map.view.js';
import { ReplicaSetService } from '../replicas/replica-set.service.js';
import { ApplyProgress, type WriteOutcome } from './apply-progress.js';
import {
  type ConflictReason,
  decodeStoredValue,
  type DeleteCondition,
  encodeLogRecord,
  encodeStoredKey,
  LOG_META_HEADER,
  type LogPosition,
  strongReadTarget,
  type WriteCondition,
} from './domain/index.js';
import { KvLogOffsets } from './kv-log.offsets.js';
import { KvLogWriter } from './kv-log.writer.js';
import { AppendTimeoutError } from './log-appender.js';

export type WriteOperation =
  | { readonly op: 'put'; readonly key: Buffer; readonly value: Buffer; readonly condition: WriteCondition }
  | { readonly op: 'delete'; readonly key: Buffer; readonly condition: DeleteCondition };

export type WriteResult =
  | { readonly kind: 'applied'; readonly position: LogPosition }
  | {
      readonly kind: 'conflict';
      readonly position: LogPosition;
      readonly reason: ConflictReason;
      readonly currentVersion: LogPosition | undefined;
    }
  /** In the log, but no replica reported its outcome in time. */
  | { readonly kind: 'unknown'; readonly position: LogPosition };

export type ReadResult =
  | { readonly kind: 'found'; readonly value: Buffer; readonly version: LogPosition }
  | { readonly kind: 'not-found' }
  /** This node does not hold a readable replica of the key: these peers may. */
  | { readonly kind: 'elsewhere'; readonly peers: readonly Peer[] };

export interface ReadOptions {
  readonly token: LogPosition | undefined;
  readonly strong: boolean;
  /** Already forwarded once: answer here or fail, never forward again. */
  readonly forwarded: boolean;
}

/**
 * The KV API's behaviour: writes go to kv.log and answer once Kafka has them (conditional
 * ones once a replica has decided them), reads are served from a local readable replica,
 * after waiting for a token's offset or the log end when asked to.
 */
@Injectable()
export class KvService {
  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(KvLogWriter) private readonly writer: KvLogWriter,
    @Inject(ApplyProgress) private readonly progress: ApplyProgress,
    @Inject(KvLogOffsets) private readonly offsets: KvLogOffsets,
    @Inject(PeerDirectoryService) private readonly peers: PeerDirectoryService,
    @Inject(AccessSummaryPublisher) private readonly access: AccessSummaryPublisher,
  ) {}

  async write(operation: WriteOperation): Promise<WriteResult> {
    const [result] = await this.writeMany([operation]);
    return result!;
  }

  /** Appends every operation (in one produce request when they arrive together), then settles each. */
  async writeMany(operations: readonly WriteOperation[]): Promise<WriteResult[]> {
    const deadline = Date.now() + this.config.WRITE_TIMEOUT_MS;
    const located = operations.map((operation) => {
      const hash = keyHash(operation.key);
      const partition = partitionForHash(hash, this.config.KV_LOG_PARTITIONS);
      const message = encodeLogRecord(
        operation.op === 'put'
          ? {
              op: 'put',
              key: operation.key,
              value: operation.value,
              condition: operation.condition,
              requestId: randomUUID(),
            }
          : { op: 'delete', key: operation.key, condition: operation.condition, requestId: randomUUID() },
      );
      return {
        operation,
        hash,
        request: {
          partition,
          key: message.key,
          value: message.value,
          headers: { [LOG_META_HEADER]: message.meta },
        },
      };
    });
    let positions: LogPosition[];
    try {
      positions = await this.writer.appendAll(
        located.map((entry) => entry.request),
        this.config.WRITE_TIMEOUT_MS,
      );
    } catch (error) {
      if (error instanceof AppendTimeoutError) throw new ApiError(503, 'unavailable', error.message);
      throw new ApiError(503, 'unavailable', `kv.log did not take the write: ${(error as Error).message}`);
    }
    return Promise.all(
      located.map(async ({ operation, hash }, index): Promise<WriteResult> => {
        const position = positions[index]!;
        this.recordAccess(hash, 'write', operation.key, operation.op === 'put' ? operation.value.length : 0);
        if (operation.condition.kind === 'none') return { kind: 'applied', position };
        const outcome = await this.outcomeOf(hash, position, Math.max(1, deadline - Date.now()));
        if (outcome === undefined) return { kind: 'unknown', position };
        return outcome.kind === 'applied'
          ? { kind: 'applied', position }
          : { kind: 'conflict', position, reason: outcome.reason, currentVersion: outcome.currentVersion };
      }),
    );
  }

  /** The outcome of a conditional record: decided here when a local replica applies it, else asked of a holder. */
  async outcomeOf(hash: bigint, position: LogPosition, timeoutMs: number): Promise<WriteOutcome | undefined> {
    if (this.replicaSet.applierOf(hash) !== undefined)
      return this.progress.waitForOutcome(position, timeoutMs);
    for (const peer of this.peers.holdersOf(hash)) {
      try {
        const response = await fetch(
          `${peer.url}/v1/internal/outcomes/${position.partition}/${position.offset}?waitMs=${timeoutMs}`,
          {
            signal: AbortSignal.timeout(timeoutMs + 2_000),
            headers: { 'x-shardcast-forwarded-by': this.config.NODE_ID },
          },
        );
        if (response.status === 200) return parseOutcome(await response.json());
      } catch {
        // The next holder may answer.
      }
    }
    return undefined;
  }

  /** For a peer asking about a record this node applies (the internal outcome endpoint). */
  async localOutcome(position: LogPosition, timeoutMs: number): Promise<WriteOutcome | undefined> {
    return this.progress.waitForOutcome(position, timeoutMs);
  }

  async read(key: Buffer, options: ReadOptions): Promise<ReadResult> {
    const hash = keyHash(key);
    const partition = partitionForHash(hash, this.config.KV_LOG_PARTITIONS);
    let replica = this.replicaSet.lookup(hash);
    if (replica === undefined || !replica.readable) {
      if (!options.forwarded) {
        const peers = this.peers.holdersOf(hash);
        if (peers.length > 0) return { kind: 'elsewhere', peers };
      }
      if (replica === undefined && this.replicaSet.applierOf(hash) === undefined) {
        throw new ApiError(
          503,
          'unavailable',
          `node ${this.config.NODE_ID} holds no replica of this key's shard and knows no peer that does`,
        );
      }
      const readable = await this.progress.waitUntil(
        partition,
        () => this.replicaSet.lookup(hash)?.readable === true,
        this.config.READ_WAIT_TIMEOUT_MS,
      );
      if (!readable)
        throw new ApiError(
          503,
          'unavailable',
          `this node's replica of the key's shard is still catching up with kv.log`,
        );
    }

    const target =
      options.token !== undefined || options.strong ? await this.readTarget(partition, options) : undefined;
    if (target !== undefined) {
      const reached = await this.progress.waitUntil(
        partition,
        () => {
          const current = this.replicaSet.lookup(hash);
          return current?.readable === true && (current.applied.get(partition) ?? -1n) >= target;
        },
        this.config.READ_WAIT_TIMEOUT_MS,
      );
      if (!reached) {
        throw new ApiError(
          503,
          'unavailable',
          `offset ${target} of partition ${partition} is not applied here yet; retry`,
        );
      }
    }

    // Looked up again: the wait may have spanned a split or a tier move.
    replica = this.replicaSet.lookup(hash);
    if (replica === undefined || !replica.readable)
      throw new ApiError(503, 'unavailable', 'the key’s shard moved while the read waited; retry');
    const bytes = replica.store.get(encodeStoredKey(hash, key));
    const stored = bytes === undefined ? undefined : decodeStoredValue(bytes);
    this.access.record(replica.shardId, 'read', hash, key, stored?.value.length ?? 0);
    if (stored === undefined || stored.tombstone) return { kind: 'not-found' };
    return { kind: 'found', value: stored.value, version: stored.version };
  }

  private async readTarget(partition: number, options: ReadOptions): Promise<bigint | undefined> {
    let target: bigint | undefined;
    // A token from another partition says nothing about this key (its records all live in its own partition).
    if (options.token !== undefined && options.token.partition === partition) target = options.token.offset;
    if (options.strong) {
      let highWatermark: bigint;
      try {
        highWatermark = await this.offsets.highWatermark(partition);
      } catch (error) {
        throw new ApiError(
          503,
          'unavailable',
          `cannot read the log end for a strong read: ${(error as Error).message}`,
        );
      }
      const strong = strongReadTarget(partition, highWatermark);
      if (strong !== undefined && (target === undefined || strong.offset > target)) target = strong.offset;
    }
    return target;
  }

  private recordAccess(hash: bigint, op: 'read' | 'write', key: Buffer, bytes: number): void {
    const shardId = this.replicaSet.lookup(hash)?.shardId ?? shardOf(this.replicaSet, hash);
    if (shardId !== undefined) this.access.record(shardId, op, hash, key, bytes);
  }
}

function shardOf(replicaSet: ReplicaSetService, hash: bigint): string | undefined {
  for (const shard of replicaSet.shardMapView().values()) {
    if (
      shard.status === 'active' &&
      hash >= shard.lo &&
      hash < shard.hi &&
      holdersOf(replicaSet.shardMapView(), hash).length > 0
    ) {
      return shard.shardId;
    }
  }
  return undefined;
}

function parseOutcome(body: unknown): WriteOutcome | undefined {
  const outcome = body as {
    kind?: string;
    reason?: ConflictReason;
    currentVersion?: { partition: number; offset: string } | null;
  };
  if (outcome.kind === 'applied') return { kind: 'applied' };
  if (outcome.kind === 'conflict' && outcome.reason !== undefined) {
    return {
      kind: 'conflict',
      reason: outcome.reason,
      currentVersion:
        outcome.currentVersion === null || outcome.currentVersion === undefined
          ? undefined
          : { partition: outcome.currentVersion.partition, offset: BigInt(outcome.currentVersion.offset) },
    };
  }
  return undefined;
}
