import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry, JsonLogger } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../../config/predictor-config.module.js';
import type { PredictorConfig } from '../../config/predictor.config.js';
import type { TfjsBackendInfo } from './tfjs-backend.js';
import { selectTfjsBackend } from './tfjs-backend.js';

/**
 * The process's TensorFlow.js backend, chosen once at start-up, logged, and shown in the
 * /health details. Without any backend the predictor still serves its statistical models.
 */
@Injectable()
export class TfjsRuntime implements OnModuleInit {
  private info: TfjsBackendInfo | undefined;
  private failure: string | undefined;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.info = await selectTfjsBackend(this.config.TFJS_BACKEND);
      this.logger.event('info', 'TensorFlow.js backend selected', { ...this.info }, 'Tfjs');
    } catch (error) {
      this.failure = (error as Error).message;
      this.logger.event(
        'error',
        'no TensorFlow.js backend: the LSTM is disabled',
        { error: this.failure },
        'Tfjs',
      );
    }
    this.health.addDetail('tfjs', () => this.describe());
  }

  get available(): boolean {
    return this.info !== undefined;
  }

  get backend(): string | null {
    return this.info?.backend ?? null;
  }

  describe(): Record<string, unknown> {
    return this.info ? { ...this.info } : { backend: null, error: this.failure ?? 'not selected yet' };
  }
}
