import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import { ForecastingService } from '../forecasting/forecasting.service.js';
import { HintsRepository } from '../forecasting/hints/hints.repository.js';
import { HistoryRepository } from '../history/history.repository.js';
import { RetentionService } from '../history/retention.service.js';
import { ModelTrainingService } from '../models/model-training.service.js';
import { ServingModels } from '../models/serving-models.service.js';
import { RiskService } from '../risk/risk.service.js';
import type { RuntimeSettings } from '../settings/domain/runtime-settings.js';
import { RuntimeSettingsService } from '../settings/runtime-settings.service.js';
import { PredictorMetrics } from './predictor.metrics.js';
import { ScheduleRepository } from './schedule.repository.js';

const HOUR_MS = 3_600_000;
/** How soon a task that is switched off (0) or not due yet looks again. */
const RECHECK_MS = 60_000;

interface PeriodicTask {
  readonly name: string;
  readonly everyMs: (settings: RuntimeSettings) => number;
  /** Resolves to the number of events published, when the task publishes. */
  readonly run: (nowMs: number) => Promise<unknown>;
  /** Checked before claiming an occurrence: false leaves it for a later turn. */
  readonly when?: () => Promise<boolean>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/**
 * Runs the predictor's periodic work: forecasts, node risk and recovery profiles, scheduled
 * retraining, and retention. Each task claims its occurrence in Postgres first, so with
 * several instances it runs once per period; a task still running when its next turn comes
 * skips that turn. A change of the schedules through PUT /v1/config re-arms the timers.
 */
@Injectable()
export class PredictorScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private stopped = false;
  private readonly tasks: PeriodicTask[];

  constructor(
    @Inject(ForecastingService) forecasting: ForecastingService,
    @Inject(RiskService) risk: RiskService,
    @Inject(ModelTrainingService) training: ModelTrainingService,
    @Inject(ServingModels) serving: ServingModels,
    @Inject(RetentionService) retention: RetentionService,
    @Inject(HistoryRepository) history: HistoryRepository,
    @Inject(HintsRepository) hints: HintsRepository,
    @Inject(ScheduleRepository) private readonly schedule: ScheduleRepository,
    @Inject(PredictorMetrics) private readonly metrics: PredictorMetrics,
    @Inject(RuntimeSettingsService) private readonly settings: RuntimeSettingsService,
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.tasks = [
      {
        name: 'forecast',
        everyMs: (s) => s.forecastEveryMs,
        run: async (now) => {
          await this.settings.reload();
          const published = await forecasting.runPass(now);
          this.metrics.servingVersion.set(serving.version ?? 0);
          return published;
        },
      },
      {
        name: 'node-risk',
        everyMs: (s) => s.riskEveryMs,
        run: async (now) => {
          const { nodes, profiles } = await risk.runPass(now);
          return nodes + profiles;
        },
      },
      {
        name: 'retrain',
        everyMs: (s) => s.retrainEveryMs,
        run: () => training.startRetrain('schedule'),
        // A first start has nothing to learn from: wait until history arrives rather than
        // storing an empty version and waiting a whole period for the next.
        when: () => history.hasHistory(),
      },
      {
        name: 'retention',
        everyMs: () => HOUR_MS,
        run: async (now) => {
          await retention.prune(now);
          await hints.deleteEndedBefore(now - config.HISTORY_RETENTION_MS);
        },
      },
    ];
  }

  onApplicationBootstrap(): void {
    this.settings.onChange(() => {
      for (const task of this.tasks) this.arm(task, 0);
    });
    for (const task of this.tasks) this.arm(task, 0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const task of this.tasks) clearTimeout(task.timer);
    await Promise.all(this.tasks.map((t) => t.running ?? Promise.resolve()));
  }

  private arm(task: PeriodicTask, delayMs: number): void {
    clearTimeout(task.timer);
    if (this.stopped) return;
    task.timer = setTimeout(() => this.tick(task), delayMs);
    task.timer.unref();
  }

  private tick(task: PeriodicTask): void {
    const everyMs = task.everyMs(this.settings.current());
    this.arm(task, everyMs > 0 ? everyMs : RECHECK_MS);
    if (everyMs <= 0 || task.running) return;
    task.running = this.runOnce(task, everyMs)
      .catch((error: unknown) => {
        this.logger.event(
          'error',
          'periodic task failed',
          { task: task.name, error: (error as Error).message },
          'Scheduler',
        );
      })
      .finally(() => {
        task.running = undefined;
      });
  }

  private async runOnce(task: PeriodicTask, everyMs: number): Promise<void> {
    if (task.when && !(await task.when())) {
      // Not due yet (nothing to work on): look again soon rather than a whole period later.
      this.arm(task, Math.min(everyMs, RECHECK_MS));
      return;
    }
    const nowMs = Date.now();
    if (!(await this.schedule.claim(task.name, nowMs, everyMs))) return;
    const stop = this.metrics.taskSeconds.startTimer({ task: task.name });
    try {
      const published = await task.run(nowMs);
      if (typeof published === 'number') this.metrics.published.set({ task: task.name }, published);
      stop({ outcome: 'ok' });
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }
}
