import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service, with default process metrics and a service label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'shardcast_' });
  return registry;
}

/** Metrics of the shared Kafka wrapper, the same names in every service. */
export class MessagingMetrics {
  readonly consumed: Counter<'topic'>;
  readonly deadLettered: Counter<'topic'>;
  readonly published: Counter<'topic'>;
  readonly handlerSeconds: Histogram<'topic'>;

  constructor(registry: Registry) {
    this.consumed = new Counter({
      name: 'shardcast_events_consumed_total',
      help: 'Events decoded and handed to a handler',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'shardcast_events_dead_lettered_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.published = new Counter({
      name: 'shardcast_events_published_total',
      help: 'Events published',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.handlerSeconds = new Histogram({
      name: 'shardcast_event_batch_handler_seconds',
      help: 'Time spent handling one consumed batch',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      registers: [registry],
    });
  }
}
