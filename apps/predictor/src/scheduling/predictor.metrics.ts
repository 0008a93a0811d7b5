import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Histogram, Registry } from 'prom-client';

/** The predictor's own Prometheus metrics, beside the platform's HTTP and messaging ones. */
@Injectable()
export class PredictorMetrics {
  readonly taskSeconds: Histogram<'task' | 'outcome'>;
  readonly servingVersion: Gauge;
  readonly published: Gauge<'task'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.taskSeconds = new Histogram({
      name: 'shardcast_predictor_task_seconds',
      help: 'Duration of the predictor’s periodic tasks (forecast pass, risk pass, retrain start, retention)',
      labelNames: ['task', 'outcome'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120],
      registers: [registry],
    });
    this.servingVersion = new Gauge({
      name: 'shardcast_predictor_serving_model_version',
      help: 'Model version this instance forecasts with (0 before any training)',
      registers: [registry],
    });
    this.published = new Gauge({
      name: 'shardcast_predictor_last_pass_events',
      help: 'Events the last pass of each task published',
      labelNames: ['task'],
      registers: [registry],
    });
  }
}
