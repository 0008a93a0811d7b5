// Creates every Shardcast topic (and its dead-letter twin) that does not exist yet, from the
// plan in libs/contracts. Used by the local stack and by docker compose's init container.
// Environment: KAFKA_BROKERS, TOPIC_PREFIX, KV_LOG_PARTITIONS.
import { pathToFileURL } from 'node:url';

export async function createTopics({ brokers, prefix = '', kvLogPartitions = 16, logWriter }) {
  const { topicPlan } = await import('@shardcast/contracts');
  const { KafkaGateway, JsonLogger, MessagingMetrics, createMetricsRegistry, routeProcessWarnings } =
    await import('@shardcast/platform');
  const logger = new JsonLogger('topics', 'info', logWriter);
  routeProcessWarnings(logger);
  const gateway = new KafkaGateway({
    brokers: brokers.split(','),
    clientId: 'shardcast-topics',
    topicPrefix: prefix,
    logger,
    metrics: new MessagingMetrics(createMetricsRegistry('topics')),
  });
  try {
    const plan = topicPlan({ prefix, kvLogPartitions });
    const created = await gateway.ensureTopics(plan);
    return { planned: plan.length, created };
  } finally {
    await gateway.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const result = await createTopics({
    brokers,
    prefix: process.env.TOPIC_PREFIX ?? '',
    kvLogPartitions: Number(process.env.KV_LOG_PARTITIONS ?? 16),
  });
  console.log(`topics on ${brokers}: ${result.planned} in the plan, ${result.created.length} created`);
}
