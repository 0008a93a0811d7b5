import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import { GlobalLstmNetwork, type SavedLstmNetwork } from '../forecasting/lstm/lstm-network.js';
import { TfjsRuntime } from '../forecasting/lstm/tfjs-runtime.service.js';
import type { ServedFailureClassifier, StoredFailureModel } from '../risk/failure-classifier.catalog.js';
import { loadFailureClassifier } from '../risk/failure-classifier.catalog.js';
import type { ShardModelRecord } from './model.repository.js';
import { ModelRepository } from './model.repository.js';
import { lstmArchitectureFor, sameArchitecture } from './lstm-architecture.js';

/** The model version in service: its network (when it has a usable one), classifier and per-shard choices. */
export interface ServingVersion {
  readonly version: number;
  readonly network: GlobalLstmNetwork | undefined;
  /** The calibrated failure classifier, whichever kind the version trained to serve. */
  readonly failureClassifier: ServedFailureClassifier | undefined;
  readonly shardModels: ReadonlyMap<string, ShardModelRecord>;
}

interface Held {
  readonly serving: ServingVersion;
  leases: number;
  retired: boolean;
}

/**
 * Which version serves, as loaded from Postgres: at start (so a restart serves the
 * version it served before) and whenever a newer one became the serving version, by this
 * instance's training or another's. Forecast and risk passes use a version through a
 * lease, so a network is disposed only once no pass still forecasts with it.
 */
@Injectable()
export class ServingModels implements OnApplicationBootstrap, OnModuleDestroy {
  private held: Held | undefined;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(TfjsRuntime) private readonly tfjs: TfjsRuntime,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
  }

  get version(): number | undefined {
    return this.held?.serving.version;
  }

  /** Loads the serving version when it is not the one held; refreshes run one at a time. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing
      .then(() => this.load())
      .catch((error: unknown) => {
        this.logger.event(
          'error',
          'could not load the serving model version',
          { error: (error as Error).message },
          'Models',
        );
      });
    return this.refreshing;
  }

  /** Runs `use` with the serving version (undefined before any training), which stays alive until it returns. */
  async withServing<T>(use: (serving: ServingVersion | undefined) => Promise<T>): Promise<T> {
    const held = this.held;
    if (held) held.leases += 1;
    try {
      return await use(held?.serving);
    } finally {
      if (held) {
        held.leases -= 1;
        if (held.retired && held.leases === 0) release(held.serving);
      }
    }
  }

  onModuleDestroy(): void {
    if (this.held) this.retire(this.held);
  }

  private async load(): Promise<void> {
    const version = await this.models.servingVersionNumber();
    if (version === undefined || version === this.held?.serving.version) return;
    const loaded = await this.models.loadVersion(version);
    if (!loaded) return;
    const serving: ServingVersion = {
      version,
      network: loaded.lstm ? this.usableNetwork(version, loaded.lstm) : undefined,
      failureClassifier: loaded.failureModel
        ? this.usableClassifier(version, loaded.failureModel)
        : undefined,
      shardModels: loaded.shardModels,
    };
    const previous = this.held;
    this.held = { serving, leases: 0, retired: false };
    if (previous) this.retire(previous);
    this.logger.event(
      'info',
      'model version serving',
      {
        version,
        lstm: serving.network !== undefined,
        failureClassifier: serving.failureClassifier?.name ?? null,
        shards: serving.shardModels.size,
      },
      'Models',
    );
  }

  private usableNetwork(version: number, saved: SavedLstmNetwork): GlobalLstmNetwork | undefined {
    if (!this.tfjs.available) return undefined;
    const expected = lstmArchitectureFor(this.config);
    if (!sameArchitecture(saved.architecture, expected)) {
      // Trained for another shape (horizon, lookback, units, interval): its shards fall back until the next retrain.
      this.logger.event(
        'warn',
        'stored LSTM does not fit the configured shape; retrain to use it',
        { version, stored: saved.architecture, configured: expected },
        'Models',
      );
      return undefined;
    }
    return GlobalLstmNetwork.load(saved);
  }

  private usableClassifier(version: number, stored: StoredFailureModel): ServedFailureClassifier | undefined {
    try {
      const loaded = loadFailureClassifier(stored, this.tfjs.available);
      if ('unavailable' in loaded) {
        // Its nodes are scored with the early-warning score until a retrain serves the plain regression.
        this.logger.event(
          'warn',
          'stored failure classifier cannot serve here',
          { version, reason: loaded.unavailable },
          'Models',
        );
        return undefined;
      }
      return loaded;
    } catch (error) {
      this.logger.event(
        'error',
        'stored failure classifier could not be loaded',
        { version, error: (error as Error).message },
        'Models',
      );
      return undefined;
    }
  }

  private retire(held: Held): void {
    held.retired = true;
    if (held.leases === 0) release(held.serving);
  }
}

/** Frees what a retired version holds in the tfjs backend. */
function release(serving: ServingVersion): void {
  serving.network?.dispose();
  serving.failureClassifier?.dispose();
}
