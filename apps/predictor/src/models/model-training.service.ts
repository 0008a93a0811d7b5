import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import type { BacktestResult, ForecastContext, HoltWintersParameters } from '../forecasting/domain/index.js';
import {
  backtest,
  chooseServingModel,
  HoltWintersModel,
  pickServableModel,
  seasonLengthsFor,
} from '../forecasting/domain/index.js';
import type { ForecastModelName } from '../forecasting/forecast-model.catalog.js';
import {
  createForecastModel,
  FALLBACK_MODELS,
  FORECAST_MODEL_NAMES,
  minimumSeriesLength,
} from '../forecasting/forecast-model.catalog.js';
import { GlobalLstmNetwork, type TrainingSeries } from '../forecasting/lstm/lstm-network.js';
import { TfjsRuntime } from '../forecasting/lstm/tfjs-runtime.service.js';
import type { LoadSeries } from '../history/domain/load-series.js';
import { assembleLoadSeries, completeSeriesEndMs } from '../history/domain/load-series.js';
import { HistoryRepository } from '../history/history.repository.js';
import type { FailureClassifierChoice, FailureExample, NodeHealthHistory } from '../risk/domain/index.js';
import { buildFailureDataset, samplesFromAggregates, splitIntoLives } from '../risk/domain/index.js';
import type { StoredFailureModel } from '../risk/failure-classifier.catalog.js';
import { trainFailureClassifier } from '../risk/failure-classifier.catalog.js';
import { healthBucketMs } from '../risk/health-resolution.js';
import type { RuntimeSettings } from '../settings/domain/runtime-settings.js';
import { RuntimeSettingsService } from '../settings/runtime-settings.service.js';
import { summariseVersion } from './domain/version-summary.js';
import { lstmArchitectureFor } from './lstm-architecture.js';
import type { ShardBacktest, ShardModelRecord } from './model.repository.js';
import { ModelRepository } from './model.repository.js';
import { ServingModels } from './serving-models.service.js';

export type RetrainStart =
  { started: true; version: number } | { started: false; runningVersion: number | undefined };

/**
 * One training run = one model version: train the global LSTM across shards, backtest every
 * model on every shard with rolling origins and choose what serves each shard, train the
 * failure classifier on recorded failures, store it all, then make it the serving version.
 *
 * The network is trained on each shard's data before its backtest window and is the one
 * that serves: the metrics shown for a version describe exactly the weights in service
 * (it still reads the latest data when it forecasts). Work is cut into pieces with a yield
 * to the event loop between them (a batch of training, one model's backtest on one shard),
 * so the service keeps consuming and answering while it trains.
 */
@Injectable()
export class ModelTrainingService implements OnModuleDestroy {
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(ServingModels) private readonly serving: ServingModels,
    @Inject(RuntimeSettingsService) private readonly settings: RuntimeSettingsService,
    @Inject(TfjsRuntime) private readonly tfjs: TfjsRuntime,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  /** Starts a run in the background, unless one (of any instance) is already running. */
  async startRetrain(trigger: 'api' | 'schedule'): Promise<RetrainStart> {
    const settings = this.settings.current();
    const trainingSettings = {
      intervalMs: this.config.FORECAST_INTERVAL_MS,
      horizon: this.config.FORECAST_HORIZON_STEPS,
      historySteps: this.config.FORECAST_HISTORY_STEPS,
      backtestFolds: settings.backtestFolds,
      lstm: {
        lookback: this.config.LSTM_LOOKBACK_STEPS,
        units: this.config.LSTM_UNITS,
        epochs: settings.lstmEpochs,
        maxWindows: settings.lstmMaxWindows,
        batchSize: this.config.LSTM_BATCH_SIZE,
      },
      riskHorizonMs: this.config.RISK_HORIZON_MS,
      failureClassifier: settings.failureClassifier,
    };
    const version = await this.models.startTraining(trigger, trainingSettings, Date.now());
    if (version === undefined) return { started: false, runningVersion: await this.models.trainingVersion() };
    this.logger.event('info', 'model training started', { version, trigger }, 'Models');
    this.running = this.train(version, settings)
      .catch(async (error: unknown) => {
        const message = this.abort.signal.aborted ? 'stopped with the service' : (error as Error).message;
        this.logger.event('error', 'model training failed', { version, error: message }, 'Models');
        await this.models.failTraining(version, message, Date.now()).catch(() => undefined);
      })
      .finally(() => {
        this.running = undefined;
      });
    return { started: true, version };
  }

  get isTraining(): boolean {
    return this.running !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    this.abort.abort(new Error('the service is stopping'));
    await this.running;
  }

  private async train(version: number, settings: RuntimeSettings): Promise<void> {
    const { backtestFolds: folds, lstmEpochs: epochs, lstmMaxWindows: maxWindows } = settings;
    const started = Date.now();
    const signal = this.abort.signal;
    const intervalMs = this.config.FORECAST_INTERVAL_MS;
    const horizon = this.config.FORECAST_HORIZON_STEPS;
    const lookback = this.config.LSTM_LOOKBACK_STEPS;
    const endMs = completeSeriesEndMs(started, intervalMs);
    const buckets = await this.history.loadBuckets(
      endMs - this.config.FORECAST_HISTORY_STEPS * intervalMs,
      endMs,
    );
    const retired = new Set(
      (await this.history.placements()).filter((p) => p.status === 'retired').map((p) => p.shardId),
    );
    const shards = [...buckets.entries()]
      .filter(([shardId]) => !retired.has(shardId))
      .map(([shardId, rows]) => ({
        shardId,
        series: assembleLoadSeries(rows, { fromMs: 0, toMs: endMs, intervalMs }),
      }))
      .filter((s) => s.series.loads.length > 0);

    const { network, report: lstmReport } = await this.trainNetwork(
      version,
      shards,
      folds,
      epochs,
      maxWindows,
      signal,
    );
    await this.models.heartbeat(version, Date.now());

    const minTrain = Math.max(lookback + horizon, 2 * horizon);
    const shardModels: ShardModelRecord[] = [];
    let lastHeartbeat = Date.now();
    for (const { shardId, series } of shards) {
      const context = contextOf(series);
      const results: BacktestResult[] = [];
      const backtests: ShardBacktest[] = [];
      for (const name of FORECAST_MODEL_NAMES) {
        await yieldToEventLoop();
        signal.throwIfAborted();
        if (name === 'lstm' && !network) {
          const reason = lstmReport['skipped'];
          backtests.push({
            model: name,
            skipped: typeof reason === 'string' ? reason : 'no trained network',
          });
          continue;
        }
        try {
          const result = backtest(
            series.loads,
            () => createForecastModel(name, { network }),
            { folds, horizon, minTrain },
            context,
          );
          results.push(result);
          backtests.push({ model: name, metrics: result.metrics, folds: result.folds.length });
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          backtests.push({ model: name, skipped: error.message });
        }
      }
      const servingModel =
        results.length > 0
          ? (chooseServingModel(results).model as ForecastModelName)
          : (pickServableModel(
              undefined,
              series.loads.length,
              (n) => minimumSeriesLength(n),
              FALLBACK_MODELS,
            ) ?? 'naive');
      shardModels.push({
        shardId,
        servingModel,
        holtWinters: servingModel === 'holt-winters' ? holtWintersParameters(series.loads, context) : null,
        backtests,
      });
      if (Date.now() - lastHeartbeat > 10_000) {
        lastHeartbeat = Date.now();
        await this.models.heartbeat(version, lastHeartbeat);
      }
    }

    const failure = await this.trainFailureRisk(version, started, settings.failureClassifier, signal);
    const summary = summariseVersion(shardModels);
    await this.models.completeTraining(
      version,
      {
        backend: this.tfjs.backend,
        lstm: network?.save() ?? null,
        lstmReport,
        failureModel: failure.model,
        failureReport: failure.report,
        summary: { ...summary, trainingMs: Date.now() - started },
        shardModels,
      },
      Date.now(),
    );
    network?.dispose();
    await this.models.prune(this.config.MODEL_VERSIONS_KEPT);
    this.logger.event(
      'info',
      'model version trained',
      {
        version,
        shards: summary.shards,
        serving: summary.serving,
        servingMase: summary.servingMase,
        seasonalNaiveMase: summary.seasonalNaiveMase,
        lstm: network !== undefined,
        failureClassifier: failure.model === null ? null : failure.report['classifier'],
        trainingMs: Date.now() - started,
      },
      'Models',
    );
    await this.serving.refresh();
  }

  /** The global network, trained on each shard's series before its backtest window. */
  private async trainNetwork(
    version: number,
    shards: readonly { shardId: string; series: LoadSeries }[],
    folds: number,
    epochs: number,
    maxWindows: number,
    signal: AbortSignal,
  ): Promise<{ network: GlobalLstmNetwork | undefined; report: Record<string, unknown> }> {
    const horizon = this.config.FORECAST_HORIZON_STEPS;
    const architecture = lstmArchitectureFor(this.config);
    if (!this.tfjs.available)
      return { network: undefined, report: { architecture, skipped: 'no TensorFlow.js backend' } };
    const training: TrainingSeries[] = shards
      .map(({ series }) => {
        const cut = series.loads.length - folds * horizon;
        return {
          values: series.loads.slice(0, Math.max(0, cut)),
          stepTimesMs: series.loads
            .slice(0, Math.max(0, cut))
            .map((_, i) => series.startMs + i * series.intervalMs),
        };
      })
      .filter((s) => s.values.length >= architecture.lookback + horizon);
    if (training.length === 0) {
      return {
        network: undefined,
        report: {
          architecture,
          skipped: `no shard has ${architecture.lookback + horizon} steps before its ${folds}×${horizon}-step backtest window yet`,
        },
      };
    }
    const network = GlobalLstmNetwork.create(architecture, version);
    try {
      const report = await network.train(
        training,
        { epochs, batchSize: this.config.LSTM_BATCH_SIZE, learningRate: 0.005, maxWindows, seed: version },
        signal,
      );
      return { network, report: { architecture, parameters: network.parameterCount, ...report } };
    } catch (error) {
      network.dispose();
      throw error;
    }
  }

  /**
   * The failure classifier, from every node's health (per-minute aggregates) split into lives
   * at recorded failures. Needs at least two failures that have health history before them:
   * calibration is fitted on held-out nodes, and each split must hold a failure.
   */
  private async trainFailureRisk(
    version: number,
    nowMs: number,
    choice: FailureClassifierChoice,
    signal: AbortSignal,
  ): Promise<{ model: StoredFailureModel | null; report: Record<string, unknown> }> {
    const bucketMs = healthBucketMs(this.config);
    const endMs = Math.floor(nowMs / bucketMs) * bucketMs;
    const aggregates = await this.history.healthAggregates(
      endMs - this.config.HEALTH_RETENTION_MS,
      endMs,
      bucketMs,
    );
    const nodes = new Map((await this.history.nodes()).map((n) => [n.nodeId, n]));
    const failures = await this.history.failureTimes();
    const examples: FailureExample[] = [];
    const histories: NodeHealthHistory[] = [];
    for (const [nodeId, rows] of aggregates) {
      await yieldToEventLoop();
      signal.throwIfAborted();
      const node = nodes.get(nodeId);
      const labels: Record<string, string> = {};
      if (node?.zone) labels['zone'] = node.zone;
      if (node?.region) labels['region'] = node.region;
      const samples = samplesFromAggregates(rows, bucketMs, this.config.HEALTH_SAMPLE_INTERVAL_MS);
      for (const life of splitIntoLives(
        { nodeId, labels, samples },
        failures.get(nodeId) ?? [],
        10 * 60_000,
      )) {
        histories.push(life);
        examples.push(...buildFailureDataset([life], { horizonMs: this.config.RISK_HORIZON_MS }));
      }
    }
    const failed = new Set(examples.filter((e) => e.label === 1).map((e) => e.nodeId));
    const base = {
      nodes: aggregates.size,
      lives: histories.length,
      examples: examples.length,
      failuresWithHistory: failed.size,
      horizonMs: this.config.RISK_HORIZON_MS,
    };
    if (failed.size < 2) {
      return {
        model: null,
        report: {
          ...base,
          skipped: `${failed.size} recorded failure(s) with health history before them; 2 or more are needed to train and calibrate, so the early-warning score serves`,
        },
      };
    }
    try {
      const trained = await trainFailureClassifier(examples, {
        choice,
        horizonMs: this.config.RISK_HORIZON_MS,
        validation: { kind: 'cross-fit', folds: Math.min(5, failed.size) },
        seed: version,
        tfjsAvailable: this.tfjs.available,
        signal,
      });
      return { model: trained.model, report: { ...base, ...trained.report } };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { model: null, report: { ...base, skipped: error.message } };
    }
  }
}

function contextOf(series: LoadSeries): ForecastContext {
  return {
    intervalMs: series.intervalMs,
    startMs: series.startMs,
    seasonLengths: seasonLengthsFor(series.intervalMs),
  };
}

/** Smoothing parameters fitted on the whole series: forecasts then only run the filter. */
function holtWintersParameters(
  loads: readonly number[],
  context: ForecastContext,
): HoltWintersParameters | null {
  if (loads.length < minimumSeriesLength('holt-winters')) return null;
  const model = new HoltWintersModel();
  model.fit(loads, context);
  return model.summary.parameters;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
