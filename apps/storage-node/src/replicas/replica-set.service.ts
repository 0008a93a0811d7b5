import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { initialShards, partitionsOverlapping } from '@shardcast/contracts';
import { JsonLogger } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { rangeBounds } from '../kv/domain/index.js';
import { KvLogOffsets } from '../kv/kv-log.offsets.js';
import { TierDirectories } from '../tiers/tier-directories.js';
import { RangeTable } from './domain/range-table.js';
import { planDerivation, startingOffsets } from './domain/replica-derivation.planner.js';
import {
  type HeldReplica,
  planReconcile,
  type ReconcileAction,
} from './domain/shard-assignment.reconciler.js';
import {
  formatRange,
  rangesOverlap,
  type ShardDescriptor,
  type Tier,
} from './domain/shard-descriptor.model.js';
import { evolveShardMap, type KnownShardState, type ShardMapView } from './domain/shard-map.view.js';
import { selectStaticShards } from './domain/static-shard-map.js';
import { LmdbReplicaStore } from './lmdb-replica.store.js';
import { type CatalogReplica, ReplicaCatalogStore } from './replica-catalog.store.js';
import { ReadWriteLock } from './read-write.lock.js';
import { Replica } from './replica.js';

/** How the apply loop follows changes to the set of replicas it feeds. */
export interface ApplyCursor {
  /**
   * Called with the set locked exclusively, right after replicas joined it: move every
   * partition's read position back to what the least advanced replica needs. Any batch
   * fetched before is then stale and skipped, so a new replica never sees a record twice
   * out of order or misses one.
   */
  rewind(): void;
  /** Called once the lock is released: the partitions to consume may have changed. */
  reassign(): Promise<void>;
}

export type OperationKind = 'create' | 'split' | 'merge' | 'tier-move' | 'restore' | 'shardmap';

export interface OperationView {
  readonly operationId: string;
  readonly kind: OperationKind;
  readonly status: 'building' | 'catching-up' | 'done' | 'failed';
  readonly targets: readonly { readonly shardId: string; readonly replicaId: string }[];
  readonly detail: string | undefined;
  readonly startedAtMs: number;
  readonly finishedAtMs: number | undefined;
}

interface Operation {
  readonly operationId: string;
  readonly kind: OperationKind;
  status: OperationView['status'];
  /** What is being built, known before the replicas exist (so a reconcile does not start it twice). */
  readonly planned: readonly (ShardDescriptor & { tier: Tier })[];
  targets: Replica[];
  detail: string | undefined;
  readonly startedAtMs: number;
  finishedAtMs: number | undefined;
  readonly done: Promise<OperationView>;
  settle: (view: OperationView) => void;
}

export interface NewShard extends ShardDescriptor {
  readonly tier: Tier;
}

/** Fills a fresh store (a restore) and says which offsets its content is at. */
export type ReplicaFiller = (store: LmdbReplicaStore) => Promise<ReadonlyMap<number, bigint>>;

export class ReplicaOperationError extends Error {
  constructor(
    readonly code: 'not-found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ReplicaOperationError';
  }
}

/**
 * The replicas this node holds and every local operation on them: create, drop, split,
 * merge, tier move, restore, and following the shard map. New replicas are built in fresh
 * directories while the old ones keep serving and applying, join the apply loop as
 * pending copies, catch up from kv.log, and are then swapped in atomically (one catalog
 * transaction, one routing-table assignment): reads never see a half-done operation, and
 * a crash before the swap leaves only a directory that the next start removes.
 */
@Injectable()
export class ReplicaSetService implements OnModuleInit, OnApplicationShutdown {
  readonly lock = new ReadWriteLock();
  private readonly replicas = new Map<string, Replica>();
  private routing = new RangeTable<Replica>([]);
  private applyTargetsByPartition = new Map<number, Replica[]>();
  private catalog: ReplicaCatalogStore | undefined;
  private cursor: ApplyCursor | undefined;
  private readonly operations = new Map<string, Operation>();
  private readonly changeListeners: (() => void)[] = [];
  private shardMap: ShardMapView = new Map();
  private readonly timers = new Set<NodeJS.Timeout>();
  private promotionScheduled = false;
  private shuttingDown = false;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(TierDirectories) private readonly tiers: TierDirectories,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(KvLogOffsets) private readonly offsets: KvLogOffsets,
  ) {}

  get nodeId(): string {
    return this.config.NODE_ID;
  }

  get partitionCount(): number {
    return this.config.KV_LOG_PARTITIONS;
  }

  async onModuleInit(): Promise<void> {
    const catalog = new ReplicaCatalogStore(join(this.tiers.fast, 'catalog'));
    this.catalog = catalog;
    const entries = catalog.replicas();
    this.removeUncommittedDirectories(new Set(entries.map((entry) => entry.replicaId)));
    for (const entry of entries) {
      const replica = this.openReplica(entry, { kind: 'log-end', targets: undefined });
      this.replicas.set(replica.replicaId, replica);
      if (replica.state === 'retiring') this.scheduleDrop(replica);
    }
    this.shardMap = new Map(catalog.shardStates().map((state) => [state.shardId, state]));
    if (!catalog.staticMapCreated()) await this.createStaticMap();
    this.rebuildIndexes();
    this.logger.event(
      'info',
      'replicas opened',
      { replicas: this.replicas.size, partitions: this.neededPartitions() },
      'Replicas',
    );
    // Operations a crash interrupted are planned again from the persisted shard map.
    this.reconcile();
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.replicas.values()].map((replica) => replica.close()));
    await this.catalog?.close();
  }

  attachCursor(cursor: ApplyCursor): void {
    this.cursor = cursor;
  }

  /** Called after every change to the set (for waiters whose answer may have changed). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** The served replica owning a hash (readable or still catching up), if this node holds it. */
  lookup(hash: bigint): Replica | undefined {
    return this.routing.lookup(hash);
  }

  /** Any replica that applies records of this hash: where a conditional write's outcome is decided. */
  applierOf(hash: bigint): Replica | undefined {
    const served = this.routing.lookup(hash);
    if (served !== undefined && served.stalled === undefined) return served;
    for (const replica of this.replicas.values()) {
      if (replica.contains(hash) && replica.stalled === undefined && !replica.closed) return replica;
    }
    return undefined;
  }

  applyTargets(partition: number): readonly Replica[] {
    return this.applyTargetsByPartition.get(partition) ?? [];
  }

  neededPartitions(): number[] {
    return [...this.applyTargetsByPartition.keys()].sort((a, b) => a - b);
  }

  /** Where to read a partition from: one past the least applied offset among its replicas (0 when one has none). */
  startPosition(partition: number): bigint {
    let position: bigint | undefined;
    for (const replica of this.applyTargets(partition)) {
      const applied = replica.applied.get(partition);
      const next = applied === undefined ? 0n : applied + 1n;
      if (position === undefined || next < position) position = next;
    }
    return position ?? 0n;
  }

  all(): Replica[] {
    return [...this.replicas.values()];
  }

  served(): readonly Replica[] {
    return this.routing.entries;
  }

  shardMapView(): ShardMapView {
    return this.shardMap;
  }

  operation(operationId: string): OperationView | undefined {
    const operation = this.operations.get(operationId);
    return operation === undefined ? undefined : viewOf(operation);
  }

  /**
   * Sets the log-end targets of replicas that wait for "the end of the log as of now"
   * (reopened, created empty); needs the broker. Returns false when it could not ask.
   */
  async captureLogEnd(): Promise<boolean> {
    const waiting = this.all().filter(
      (replica) => replica.catchUp?.kind === 'log-end' && replica.catchUp.targets === undefined,
    );
    if (waiting.length === 0) return true;
    let highWatermarks: Map<number, bigint>;
    try {
      highWatermarks = await this.offsets.highWatermarks();
    } catch (error) {
      this.logger.event(
        'warn',
        'cannot read the log end yet',
        { error: (error as Error).message },
        'Replicas',
      );
      return false;
    }
    for (const replica of waiting) {
      if (replica.catchUp?.kind !== 'log-end') continue;
      replica.catchUp.targets = logEndTargets(replica.partitions, highWatermarks);
    }
    this.schedulePromotions();
    return true;
  }

  /** The apply loop committed a batch: settle catch-ups, promote finished operations. */
  schedulePromotions(): void {
    if (this.promotionScheduled || this.shuttingDown) return;
    this.promotionScheduled = true;
    setImmediate(() => {
      this.promotionScheduled = false;
      this.lock
        .withExclusive(() => this.promoteReady())
        .catch((error: unknown) =>
          this.logger.event(
            'error',
            'promotion failed',
            { error: (error as Error).stack ?? String(error) },
            'Replicas',
          ),
        );
    });
  }

  // ---- local operations -------------------------------------------------------------

  create(shard: NewShard): OperationView {
    this.assertFree(shard);
    return this.start('create', [shard], async () => {
      return [await this.newReplica(shard, 'accept', { kind: 'log-end', targets: undefined })];
    });
  }

  split(shardId: string, at: bigint, names: { left: string; right: string; epoch?: number }): OperationView {
    const source = this.servedShard(shardId);
    if (at <= source.lo || at >= source.hi) {
      throw new ReplicaOperationError('invalid', `split point ${at} is not inside ${formatRange(source)}`);
    }
    if (names.left === names.right)
      throw new ReplicaOperationError('invalid', 'the two halves need distinct shard ids');
    const epoch = this.nextEpoch(source, names.epoch);
    const targets: NewShard[] = [
      { shardId: names.left, lo: source.lo, hi: at, epoch, tier: source.tier },
      { shardId: names.right, lo: at, hi: source.hi, epoch, tier: source.tier },
    ];
    this.assertIdsFree(targets, [source]);
    return this.startDerivation('split', targets, [source]);
  }

  merge(
    leftId: string,
    rightId: string,
    into: { shardId: string; epoch?: number; tier?: Tier },
  ): OperationView {
    const left = this.servedShard(leftId);
    const right = this.servedShard(rightId);
    if (left.hi !== right.lo) {
      throw new ReplicaOperationError(
        'invalid',
        `${leftId} ${formatRange(left)} and ${rightId} ${formatRange(right)} are not adjacent`,
      );
    }
    const epoch = Math.max(this.nextEpoch(left, into.epoch), this.nextEpoch(right, into.epoch));
    const target: NewShard = {
      shardId: into.shardId,
      lo: left.lo,
      hi: right.hi,
      epoch,
      tier: into.tier ?? left.tier,
    };
    this.assertIdsFree([target], [left, right]);
    return this.startDerivation('merge', [target], [left, right]);
  }

  moveTier(shardId: string, tier: Tier): OperationView {
    const source = this.servedShard(shardId);
    if (source.tier === tier)
      throw new ReplicaOperationError('conflict', `${shardId} is already on the ${tier} tier`);
    const target: NewShard = { shardId, lo: source.lo, hi: source.hi, epoch: source.epoch, tier };
    return this.startDerivation('tier-move', [target], [source]);
  }

  /** Builds a replica from outside data (a checkpoint), then catches it up from the log. */
  restore(shard: NewShard, fill: ReplicaFiller): OperationView {
    this.assertFree(shard);
    return this.start('restore', [shard], async () => {
      const replica = await this.newReplica(
        shard,
        'stop',
        { kind: 'log-end', targets: undefined },
        async (store) => {
          const offsets = await fill(store);
          await store.setAppliedOffsets(offsets);
        },
      );
      return [replica];
    });
  }

  async drop(shardId: string): Promise<void> {
    const replica = this.all().find(
      (candidate) => candidate.shardId === shardId && candidate.state !== 'pending',
    );
    if (replica === undefined)
      throw new ReplicaOperationError('not-found', `this node holds no replica of ${shardId}`);
    await this.dropReplica(replica);
  }

  /** Resolves when the operation is done or failed, or after `timeoutMs` with its state then. */
  async awaitOperation(operationId: string, timeoutMs: number): Promise<OperationView> {
    const operation = this.operations.get(operationId);
    if (operation === undefined) throw new ReplicaOperationError('not-found', `no operation ${operationId}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<OperationView>((resolve) => {
      timer = setTimeout(() => resolve(viewOf(operation)), timeoutMs);
    });
    try {
      return await Promise.race([operation.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- the shard map ----------------------------------------------------------------

  /** Folds shard-state events into the view (stale epochs ignored), persists it, and acts on it. */
  async applyShardStates(states: readonly KnownShardState[]): Promise<{ applied: number; stale: number }> {
    let view = this.shardMap;
    const changed: KnownShardState[] = [];
    let stale = 0;
    for (const state of states) {
      const evolution = evolveShardMap(view, state);
      if (evolution.kind === 'stale') {
        stale += 1;
        this.logger.event(
          'info',
          'stale shard-map event ignored',
          { shardId: state.shardId, epoch: state.epoch, heldEpoch: evolution.heldEpoch },
          'Replicas',
        );
        continue;
      }
      view = evolution.view;
      changed.push(state);
    }
    if (changed.length > 0) {
      await this.requireCatalog().apply({ shardStates: changed });
      this.shardMap = view;
      this.reconcile();
    }
    return { applied: changed.length, stale };
  }

  private reconcile(): void {
    if (!this.config.FOLLOW_SHARDMAP || this.shardMap.size === 0) return;
    const held: HeldReplica[] = this.all().map((replica) => ({
      replicaId: replica.replicaId,
      shardId: replica.shardId,
      lo: replica.lo,
      hi: replica.hi,
      epoch: replica.epoch,
      tier: replica.tier,
      state: replica.state,
      appliedOffsets: replica.applied,
    }));
    for (const operation of this.operations.values()) {
      if (operation.status !== 'building') continue;
      for (const planned of operation.planned) {
        held.push({
          ...planned,
          replicaId: `${operation.operationId}:${planned.shardId}`,
          state: 'pending',
          appliedOffsets: new Map(),
        });
      }
    }
    const actions = planReconcile(this.nodeId, this.shardMap, held);
    if (actions.length > 0)
      this.logger.event('info', 'shard map reconcile', { actions: actions.map(describeAction) }, 'Replicas');
    this.execute(actions);
  }

  private execute(actions: readonly ReconcileAction[]): void {
    // Derivations from the same sources form one operation, promoted together: the halves
    // of a split take over from their source at the same moment.
    const derivations = new Map<string, { targets: NewShard[]; sources: Replica[] }>();
    for (const action of actions) {
      try {
        switch (action.kind) {
          case 'derive': {
            const sources = action.plan.slices.map((slice) => this.replicas.get(slice.replicaId)!);
            const key = sources.map((source) => source.replicaId).join('+');
            const group = derivations.get(key) ?? { targets: [], sources };
            group.targets.push(action.target);
            derivations.set(key, group);
            break;
          }
          case 'create-empty':
            this.start('shardmap', [action.target], async () => [
              await this.newReplica(action.target, 'accept', { kind: 'log-end', targets: undefined }),
            ]);
            break;
          case 'move-tier': {
            const replica = this.replicas.get(action.replicaId)!;
            this.startDerivation(
              'shardmap',
              [
                {
                  shardId: replica.shardId,
                  lo: replica.lo,
                  hi: replica.hi,
                  epoch: replica.epoch,
                  tier: action.tier,
                },
              ],
              [replica],
            );
            break;
          }
          case 'set-epoch': {
            const replica = this.replicas.get(action.replicaId)!;
            replica.epoch = action.epoch;
            void this.requireCatalog()
              .apply({ put: [catalogEntry(replica)] })
              .catch((error: unknown) =>
                this.logger.event(
                  'error',
                  'epoch update failed',
                  { error: (error as Error).message },
                  'Replicas',
                ),
              );
            break;
          }
          case 'retire':
            void this.retire(this.replicas.get(action.replicaId)!).catch((error: unknown) =>
              this.logger.event('error', 'retire failed', { error: (error as Error).message }, 'Replicas'),
            );
            break;
          default:
            assertNever(action);
        }
      } catch (error) {
        this.logger.event(
          'error',
          'shard map action failed',
          { action: describeAction(action), error: (error as Error).message },
          'Replicas',
        );
      }
    }
    for (const { targets, sources } of derivations.values())
      this.startDerivation('shardmap', targets, sources);
  }

  // ---- building, joining, promoting ---------------------------------------------------

  private startDerivation(
    kind: OperationKind,
    targets: readonly NewShard[],
    sources: readonly Replica[],
  ): OperationView {
    return this.start(kind, targets, async () => {
      const built: Replica[] = [];
      try {
        for (const target of targets) {
          built.push(
            await this.newReplica(target, 'stop', { kind: 'sources', sources }, async (store) => {
              const plan = planDerivation(
                target,
                sources.map((source) => ({
                  replicaId: source.replicaId,
                  lo: source.lo,
                  hi: source.hi,
                  appliedOffsets: source.applied,
                })),
              );
              if (plan === undefined) throw new Error(`the sources do not cover ${formatRange(target)}`);
              const partitions = partitionsOverlapping(target, this.partitionCount);
              const snapshots: { partitions: number[]; appliedOffsets: Map<number, bigint> }[] = [];
              for (const slice of plan.slices) {
                const source = sources.find((candidate) => candidate.replicaId === slice.replicaId)!;
                const release = source.lease();
                const snapshot = source.store.snapshot();
                try {
                  const bounds = rangeBounds(slice.lo, slice.hi);
                  await store.load(snapshot.entries(bounds));
                  snapshots.push({
                    partitions: source.partitions.filter((partition) => partitions.includes(partition)),
                    appliedOffsets: snapshot.appliedOffsets,
                  });
                } finally {
                  snapshot.release();
                  release();
                }
              }
              await store.setAppliedOffsets(startingOffsets(snapshots));
            }),
          );
        }
      } catch (error) {
        await Promise.allSettled(built.map((replica) => this.discard(replica)));
        throw error;
      }
      return built;
    });
  }

  private start(
    kind: OperationKind,
    planned: readonly NewShard[],
    build: () => Promise<Replica[]>,
  ): OperationView {
    let settle!: (view: OperationView) => void;
    const done = new Promise<OperationView>((resolve) => (settle = resolve));
    const operation: Operation = {
      operationId: `op-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      kind,
      status: 'building',
      planned: planned.map((shard) => ({ ...shard })),
      targets: [],
      detail: undefined,
      startedAtMs: Date.now(),
      finishedAtMs: undefined,
      done,
      settle,
    };
    this.operations.set(operation.operationId, operation);
    this.forgetOldOperations();
    this.logger.event(
      'info',
      'replica operation started',
      {
        operationId: operation.operationId,
        kind,
        targets: planned.map((shard) => `${shard.shardId} ${formatRange(shard)} ${shard.tier}`),
      },
      'Replicas',
    );
    void (async () => {
      let built: Replica[] = [];
      try {
        built = await build();
        operation.targets = built;
        await this.join(operation, built);
      } catch (error) {
        await Promise.allSettled(built.map((replica) => this.discard(replica)));
        this.finish(operation, 'failed', (error as Error).message);
      }
    })();
    return viewOf(operation);
  }

  /** Adds built replicas to the apply set as pending copies and rewinds the apply loop for them. */
  private async join(operation: Operation, built: readonly Replica[]): Promise<void> {
    const needsLogEnd = built.some((replica) => replica.catchUp?.kind === 'log-end');
    const highWatermarks = needsLogEnd ? await this.offsets.highWatermarks() : undefined;
    await this.lock.withExclusive(() => {
      if (this.shuttingDown) throw new Error('the node is shutting down');
      for (const replica of built) {
        if (replica.catchUp?.kind === 'log-end' && highWatermarks !== undefined) {
          replica.catchUp.targets = logEndTargets(replica.partitions, highWatermarks);
        }
        this.replicas.set(replica.replicaId, replica);
      }
      operation.status = 'catching-up';
      this.rebuildIndexes();
      this.cursor?.rewind();
    });
    await this.cursor?.reassign();
    this.schedulePromotions();
  }

  private async promoteReady(): Promise<void> {
    for (const operation of this.operations.values()) {
      if (operation.status !== 'catching-up') continue;
      const stalled = operation.targets.find((replica) => replica.stalled !== undefined);
      if (stalled !== undefined) {
        for (const replica of operation.targets) this.replicas.delete(replica.replicaId);
        this.rebuildIndexes();
        void Promise.allSettled(operation.targets.map((replica) => this.discard(replica)));
        this.finish(operation, 'failed', `${stalled.shardId}: ${stalled.stalled}`);
        continue;
      }
      // Every target is checked, so each one's catch-up is settled on this pass.
      const ready = operation.targets.map((replica) => replica.settleCatchUp()).every(Boolean);
      if (ready) await this.promote(operation);
    }
    // Replicas reopened at start become readable once they reach the log end.
    let changed = false;
    for (const replica of this.replicas.values()) {
      if (replica.state === 'serving' && replica.catchUp !== undefined && replica.settleCatchUp())
        changed = true;
    }
    if (changed) this.notifyChange();
  }

  private async promote(operation: Operation): Promise<void> {
    const targets = operation.targets;
    const targetIds = new Set(targets.map((replica) => replica.replicaId));
    const displaced = this.all().filter(
      (replica) =>
        !targetIds.has(replica.replicaId) &&
        replica.state === 'serving' &&
        targets.some((target) => rangesOverlap(target, replica)),
    );
    const dropNow = displaced.filter((replica) => isCovered(replica, targets));
    const retireNow = displaced.filter((replica) => !dropNow.includes(replica));
    const nowMs = Date.now();
    for (const replica of targets) replica.state = 'serving';
    for (const replica of retireNow) {
      replica.state = 'retiring';
      replica.retiredAtMs = nowMs;
    }
    await this.requireCatalog().apply({
      put: [...targets, ...retireNow].map(catalogEntry),
      remove: dropNow.map((replica) => replica.replicaId),
    });
    for (const replica of dropNow) this.replicas.delete(replica.replicaId);
    this.rebuildIndexes();
    for (const replica of retireNow) this.scheduleDrop(replica);
    void Promise.allSettled(dropNow.map((replica) => this.discard(replica)));
    this.finish(operation, 'done', undefined);
    this.logger.event(
      'info',
      'replicas promoted',
      {
        operationId: operation.operationId,
        serving: targets.map((replica) => replica.shardId),
        dropped: dropNow.map((replica) => replica.shardId),
        retired: retireNow.map((replica) => replica.shardId),
      },
      'Replicas',
    );
  }

  private async retire(replica: Replica): Promise<void> {
    await this.lock.withExclusive(async () => {
      if (replica.state !== 'serving' || !this.replicas.has(replica.replicaId)) return;
      replica.state = 'retiring';
      replica.retiredAtMs = Date.now();
      await this.requireCatalog().apply({ put: [catalogEntry(replica)] });
      this.rebuildIndexes();
    });
    this.scheduleDrop(replica);
  }

  private scheduleDrop(replica: Replica): void {
    const dueInMs = Math.max(
      0,
      (replica.retiredAtMs ?? 0) + this.config.RETIRED_REPLICA_GRACE_MS - Date.now(),
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (replica.state !== 'retiring') return;
      this.dropReplica(replica).catch((error: unknown) =>
        this.logger.event(
          'error',
          'drop failed',
          { replicaId: replica.replicaId, error: (error as Error).message },
          'Replicas',
        ),
      );
    }, dueInMs);
    this.timers.add(timer);
  }

  private async dropReplica(replica: Replica): Promise<void> {
    await this.lock.withExclusive(async () => {
      if (!this.replicas.has(replica.replicaId)) return;
      await this.requireCatalog().apply({ remove: [replica.replicaId] });
      this.replicas.delete(replica.replicaId);
      this.rebuildIndexes();
    });
    await this.discard(replica);
    this.logger.event(
      'info',
      'replica dropped',
      { shardId: replica.shardId, replicaId: replica.replicaId },
      'Replicas',
    );
  }

  /** Closes a replica that is no longer in the set and deletes its directory. */
  private async discard(replica: Replica): Promise<void> {
    await replica.close();
    rmSync(replica.store.dir, { recursive: true, force: true });
  }

  private async newReplica(
    shard: NewShard,
    gapPolicy: 'stop' | 'accept',
    catchUp: Replica['catchUp'],
    fill?: (store: LmdbReplicaStore) => Promise<void>,
  ): Promise<Replica> {
    const replicaId = `${shard.shardId}~${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const store = LmdbReplicaStore.open(this.replicaDir(shard.tier, replicaId));
    try {
      await fill?.(store);
    } catch (error) {
      await store.close().catch(() => undefined);
      rmSync(store.dir, { recursive: true, force: true });
      throw error;
    }
    // Constructed after the fill: the replica reads its applied offsets from the store.
    return new Replica({
      ...shard,
      replicaId,
      state: 'pending',
      gapPolicy,
      store,
      partitionCount: this.partitionCount,
      catchUp,
    });
  }

  private async createStaticMap(): Promise<void> {
    const map = initialShards(this.config.SHARD_COUNT).map((shard) => ({
      shardId: shard.shardId,
      lo: shard.range.lo,
      hi: shard.range.hi,
      epoch: 0,
    }));
    const selected = selectStaticShards(map, this.config.STATIC_SHARDS);
    if (!selected.ok) throw new Error(`STATIC_SHARDS: ${selected.reason}`);
    const created: Replica[] = [];
    for (const shard of selected.value) {
      const replicaId = `${shard.shardId}~static`;
      const store = LmdbReplicaStore.open(this.replicaDir(this.config.STATIC_SHARD_TIER, replicaId));
      created.push(
        new Replica({
          ...shard,
          replicaId,
          tier: this.config.STATIC_SHARD_TIER,
          state: 'serving',
          gapPolicy: 'accept',
          store,
          partitionCount: this.partitionCount,
          catchUp: { kind: 'log-end', targets: undefined },
        }),
      );
    }
    await this.requireCatalog().apply({ put: created.map(catalogEntry), markStaticMapCreated: true });
    for (const replica of created) this.replicas.set(replica.replicaId, replica);
    this.logger.event(
      'info',
      'static shard map created',
      { shards: created.map((replica) => replica.shardId), tier: this.config.STATIC_SHARD_TIER },
      'Replicas',
    );
  }

  private openReplica(entry: CatalogReplica, catchUp: Replica['catchUp']): Replica {
    return new Replica({
      ...entry,
      store: LmdbReplicaStore.open(this.replicaDir(entry.tier, entry.replicaId)),
      partitionCount: this.partitionCount,
      catchUp,
    });
  }

  private removeUncommittedDirectories(live: ReadonlySet<string>): void {
    for (const tier of ['fast', 'slow'] as const) {
      const root = join(this.tiers.path(tier), 'replicas');
      let names: string[];
      try {
        names = readdirSync(root);
      } catch {
        continue;
      }
      for (const name of names) {
        if (live.has(name)) continue;
        rmSync(join(root, name), { recursive: true, force: true });
        this.logger.event(
          'warn',
          'removed a replica directory no committed operation owns',
          { tier, name },
          'Replicas',
        );
      }
    }
  }

  private rebuildIndexes(): void {
    this.routing = new RangeTable(
      [...this.replicas.values()].filter((replica) => replica.state === 'serving'),
    );
    const byPartition = new Map<number, Replica[]>();
    for (const replica of this.replicas.values()) {
      if (replica.closed || replica.stalled !== undefined) continue;
      for (const partition of replica.partitions) {
        const list = byPartition.get(partition) ?? [];
        list.push(replica);
        byPartition.set(partition, list);
      }
    }
    this.applyTargetsByPartition = byPartition;
    this.notifyChange();
  }

  /** A replica stopped applying: take it out of the apply set (and out of service). */
  markStalled(replica: Replica, reason: string): void {
    if (replica.stalled !== undefined) return;
    replica.stalled = reason;
    this.logger.event(
      'error',
      'replica stalled',
      { shardId: replica.shardId, replicaId: replica.replicaId, reason },
      'Replicas',
    );
    this.rebuildIndexes();
    this.schedulePromotions();
  }

  private notifyChange(): void {
    for (const listener of this.changeListeners) listener();
  }

  private finish(operation: Operation, status: 'done' | 'failed', detail: string | undefined): void {
    operation.status = status;
    operation.detail = detail;
    operation.finishedAtMs = Date.now();
    if (status === 'failed') {
      this.logger.event(
        'warn',
        'replica operation failed',
        { operationId: operation.operationId, kind: operation.kind, detail },
        'Replicas',
      );
    }
    operation.settle(viewOf(operation));
  }

  private forgetOldOperations(): void {
    const finished = [...this.operations.values()].filter(
      (operation) => operation.finishedAtMs !== undefined,
    );
    for (const operation of finished.slice(0, Math.max(0, finished.length - 200))) {
      this.operations.delete(operation.operationId);
    }
  }

  private servedShard(shardId: string): Replica {
    const replica = this.routing.entries.find((candidate) => candidate.shardId === shardId);
    if (replica === undefined)
      throw new ReplicaOperationError('not-found', `this node serves no replica of ${shardId}`);
    if (this.isBusy(replica))
      throw new ReplicaOperationError('conflict', `${shardId} is already part of an operation in progress`);
    return replica;
  }

  private isBusy(replica: Replica): boolean {
    for (const operation of this.operations.values()) {
      if (operation.status !== 'building' && operation.status !== 'catching-up') continue;
      if (operation.planned.some((shard) => rangesOverlap(shard, replica))) return true;
    }
    return false;
  }

  private assertFree(shard: NewShard): void {
    if (shard.lo < 0n || shard.hi > 1n << 64n || shard.lo >= shard.hi) {
      throw new ReplicaOperationError('invalid', `invalid hash range ${formatRange(shard)}`);
    }
    const overlapping = this.all().find(
      (replica) => replica.state !== 'retiring' && rangesOverlap(replica, shard),
    );
    if (overlapping !== undefined) {
      throw new ReplicaOperationError(
        'conflict',
        `${formatRange(shard)} overlaps ${overlapping.shardId} ${formatRange(overlapping)} held here`,
      );
    }
    for (const operation of this.operations.values()) {
      if (
        (operation.status === 'building' || operation.status === 'catching-up') &&
        operation.planned.some((planned) => rangesOverlap(planned, shard))
      ) {
        throw new ReplicaOperationError(
          'conflict',
          `${formatRange(shard)} overlaps operation ${operation.operationId} in progress`,
        );
      }
    }
    this.assertIdsFree([shard], []);
  }

  private assertIdsFree(targets: readonly NewShard[], replacing: readonly Replica[]): void {
    for (const target of targets) {
      const holder = this.all().find(
        (replica) => replica.shardId === target.shardId && !replacing.includes(replica),
      );
      if (holder !== undefined)
        throw new ReplicaOperationError('conflict', `shard id ${target.shardId} is already held here`);
    }
  }

  private nextEpoch(source: Replica, requested: number | undefined): number {
    if (requested === undefined) return source.epoch + 1;
    if (requested <= source.epoch) {
      throw new ReplicaOperationError(
        'conflict',
        `epoch ${requested} is not above ${source.shardId}'s epoch ${source.epoch}`,
      );
    }
    return requested;
  }

  private replicaDir(tier: Tier, replicaId: string): string {
    return join(this.tiers.path(tier), 'replicas', replicaId);
  }

  private requireCatalog(): ReplicaCatalogStore {
    if (this.catalog === undefined) throw new Error('the replica catalog is not open yet');
    return this.catalog;
  }
}

function logEndTargets(
  partitions: readonly number[],
  highWatermarks: ReadonlyMap<number, bigint>,
): Map<number, bigint> {
  const targets = new Map<number, bigint>();
  for (const partition of partitions) {
    const high = highWatermarks.get(partition);
    if (high !== undefined && high > 0n) targets.set(partition, high - 1n);
  }
  return targets;
}

/** Whether the targets' ranges together cover all of the replica's range. */
function isCovered(replica: Replica, targets: readonly Replica[]): boolean {
  const sorted = [...targets].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let covered = replica.lo;
  for (const target of sorted) {
    if (target.lo > covered) break;
    if (target.hi > covered) covered = target.hi;
    if (covered >= replica.hi) return true;
  }
  return covered >= replica.hi;
}

function catalogEntry(replica: Replica): CatalogReplica {
  return {
    replicaId: replica.replicaId,
    shardId: replica.shardId,
    lo: replica.lo,
    hi: replica.hi,
    epoch: replica.epoch,
    tier: replica.tier,
    state: replica.state === 'retiring' ? 'retiring' : 'serving',
    ...(replica.retiredAtMs === undefined ? {} : { retiredAtMs: replica.retiredAtMs }),
    gapPolicy: replica.gapPolicy,
  };
}

function viewOf(operation: Operation): OperationView {
  return {
    operationId: operation.operationId,
    kind: operation.kind,
    status: operation.status,
    targets:
      operation.targets.length > 0
        ? operation.targets.map((replica) => ({ shardId: replica.shardId, replicaId: replica.replicaId }))
        : operation.planned.map((shard) => ({ shardId: shard.shardId, replicaId: '' })),
    detail: operation.detail,
    startedAtMs: operation.startedAtMs,
    finishedAtMs: operation.finishedAtMs,
  };
}

function describeAction(action: ReconcileAction): string {
  switch (action.kind) {
    case 'derive':
    case 'create-empty':
      return `${action.kind} ${action.target.shardId} ${formatRange(action.target)}`;
    case 'move-tier':
      return `move-tier ${action.replicaId} → ${action.tier}`;
    case 'set-epoch':
      return `set-epoch ${action.replicaId} → ${action.epoch}`;
    case 'retire':
      return `retire ${action.replicaId}`;
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
}
