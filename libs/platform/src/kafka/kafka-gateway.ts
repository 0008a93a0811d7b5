import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel as KafkaLogLevel,
  type LogEntry,
  type Message,
  Partitioners,
  type Producer,
  type RecordMetadata,
  type ProducerConfig,
} from 'kafkajs';
import type { z } from 'zod';
import {
  type EventOf,
  HEADERS,
  TOPICS,
  type TopicKey,
  deadLetterTopicName,
  decodeEvent,
  encodeEvent,
  topicName,
} from '@shardcast/contracts';
import type { JsonLogger } from '../observability/json-logger.js';
import type { MessagingMetrics } from '../observability/metrics.js';
import { extractTraceContext, injectTraceHeaders, tracer } from '../observability/tracing.js';

export interface KafkaGatewayOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  logger: JsonLogger;
  metrics: MessagingMetrics;
}

/** One decoded event as a handler sees it. */
export interface ConsumedEvent<T> {
  value: T;
  key: string | null;
  partition: number;
  offset: string;
  timestampMs: number;
}

export interface ConsumeOptions<K extends TopicKey> {
  topic: K;
  groupId: string;
  /** Receives the valid events of one fetched batch, in partition order; must be idempotent. */
  handle: (events: ConsumedEvent<EventOf<K>>[]) => Promise<void>;
  fromBeginning?: boolean;
  /** Tries of a failing batch before the consumer backs off and restarts (nothing is skipped). */
  maxHandlerAttempts?: number;
}

export interface ConsumerHandle {
  readonly groupId: string;
  stop(): Promise<void>;
}

/**
 * A handler throws this for an event it can never process (it is valid but refers to
 * something that cannot exist): the event goes to the dead-letter topic with the reason
 * instead of blocking its partition forever. Any other error is treated as transient.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/**
 * The one Kafka wrapper every service uses: an idempotent acks=all producer that validates
 * what it publishes, consumers that decode at the boundary, send undecodable messages to the
 * topic's dead-letter topic with the reason and their original headers, and go on; trace
 * context crosses in headers. Built on kafkajs directly: @nestjs/microservices' Kafka server
 * has no batch handler and no way to seek to offsets a service stores itself (see
 * docs/decisions/0001-kafka-wrapper.md).
 */
export class KafkaGateway {
  readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private producerConnected: Promise<void> | undefined;

  constructor(private readonly options: KafkaGatewayOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.logKafka(entry),
    });
    this.producer = this.createProducer();
    this.admin = this.kafka.admin({ retry: { retries: 2 } });
  }

  get topicPrefix(): string {
    return this.options.topicPrefix;
  }

  /** The prefixed wire name of a topic. */
  topic(key: TopicKey): string {
    return topicName(TOPICS[key].name, this.options.topicPrefix);
  }

  createProducer(config: ProducerConfig = {}): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer must not give up on a batch (it could reorder or duplicate on a
      // later retry), so it retries until the broker is back (a million tries at up to 5 s:
      // weeks); callers that answer clients put their own deadline on a send. kafkajs' own
      // "unlimited" (MAX_SAFE_INTEGER) overflows its backoff timer.
      retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: EFFECTIVELY_UNLIMITED_RETRIES },
      ...config,
    });
  }

  createConsumer(config: ConsumerConfig): Consumer {
    // A 1 s long-poll (kafkajs waits 5 s) bounds how long a stopping consumer waits for its
    // in-flight fetch, so services shut down promptly.
    const consumer = this.kafka.consumer({
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1_000,
      ...config,
    });
    this.consumers.add(consumer);
    return consumer;
  }

  async publish<K extends TopicKey>(topic: K, event: z.input<(typeof TOPICS)[K]['schema']>): Promise<void> {
    await this.publishAll(topic, [event]);
  }

  /** Publishes events of one topic in one request (acks=all); resolves once Kafka has them. */
  async publishAll<K extends TopicKey>(
    topic: K,
    events: z.input<(typeof TOPICS)[K]['schema']>[],
  ): Promise<void> {
    if (events.length === 0) return;
    const messages: Message[] = events.map((event) => {
      const encoded = encodeEvent(topic, event);
      return { key: encoded.key, value: encoded.value, headers: injectTraceHeaders(encoded.headers) };
    });
    await this.sendRaw(this.topic(topic), messages);
    this.options.metrics.published.inc({ topic: TOPICS[topic].name }, events.length);
  }

  /** Sends already-encoded messages (binary topics such as kv.log) through the shared producer. */
  async sendRaw(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    await this.ensureProducer();
    return this.producer.send({ topic, messages, acks: -1 });
  }

  /**
   * Runs a consumer for the life of the service: keeps trying while the broker is away at
   * start-up, and starts it again if kafkajs gives up on it (a non-retriable crash).
   */
  runConsumer<K extends TopicKey>(options: ConsumeOptions<K>): ConsumerHandle {
    let current: ConsumerHandle | undefined;
    let stopped = false;
    const start = async (): Promise<void> => {
      for (let attempt = 1; !stopped; attempt += 1) {
        try {
          current = await this.consume(options, (crashed) => {
            if (stopped) return;
            this.options.logger.event(
              'warn',
              'consumer crashed; restarting',
              { groupId: options.groupId },
              'Kafka',
            );
            void crashed
              .stop()
              .catch((error: unknown) =>
                this.options.logger.event(
                  'warn',
                  'crashed consumer did not disconnect cleanly',
                  { groupId: options.groupId, error: (error as Error).message },
                  'Kafka',
                ),
              )
              .finally(() => {
                if (!stopped) setTimeout(() => void start(), 2_000);
              });
          });
          if (stopped) await current.stop();
          return;
        } catch (error) {
          this.options.logger.event(
            'warn',
            'consumer could not start; retrying',
            { groupId: options.groupId, attempt, error: (error as Error).message },
            'Kafka',
          );
          await sleep(Math.min(5_000, 500 * attempt));
        }
      }
    };
    void start();
    return {
      groupId: options.groupId,
      stop: async () => {
        stopped = true;
        await current?.stop();
      },
    };
  }

  async consume<K extends TopicKey>(
    options: ConsumeOptions<K>,
    onFatalCrash?: (crashed: ConsumerHandle) => void,
  ): Promise<ConsumerHandle> {
    const spec = TOPICS[options.topic];
    const wireTopic = this.topic(options.topic);
    const consumer = this.createConsumer({ groupId: options.groupId });
    const maxAttempts = options.maxHandlerAttempts ?? 3;
    const handle: ConsumerHandle = {
      groupId: options.groupId,
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
    // kafkajs restarts a consumer itself after a retriable crash; after any other it stays
    // down, so the owner is told (even during the first join, before consume() returns).
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) onFatalCrash?.(handle);
    });

    try {
      await consumer.connect();
      await consumer.subscribe({ topic: wireTopic, fromBeginning: options.fromBeginning ?? true });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      this.consumers.delete(consumer);
      throw error;
    }
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        // A consumer that is stopping or has lost the partition must not resolve offsets of
        // events it did not handle: kafkajs would commit them and they would be lost.
        if (!payload.isRunning() || payload.isStale()) return;
        const { batch } = payload;
        const valid: ConsumedEvent<EventOf<K>>[] = [];
        const invalid: { message: KafkaMessage; reason: string }[] = [];
        for (const message of batch.messages) {
          const decoded = decodeEvent(options.topic, message);
          if (decoded.ok) {
            valid.push({
              value: decoded.value,
              key: message.key?.toString() ?? null,
              partition: batch.partition,
              offset: message.offset,
              timestampMs: Number(message.timestamp),
            });
          } else {
            invalid.push({ message, reason: decoded.reason });
          }
        }
        if (valid.length > 0) {
          await this.handleWithRetries(spec.name, batch.messages, valid, options.handle, maxAttempts);
          this.options.metrics.consumed.inc({ topic: spec.name }, valid.length);
        }
        // After the handler succeeded: a batch retried for a transient failure does not send
        // its undecodable messages to the dead-letter topic once per try.
        await this.deadLetterAll(spec.name, batch.partition, invalid);
        if (!payload.isRunning() || payload.isStale()) return;
        const last = batch.messages.at(-1);
        if (last !== undefined) payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      },
    });
    return handle;
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  async ensureTopics(
    plan: { name: string; partitions: number; config: Record<string, string> }[],
  ): Promise<string[]> {
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = plan.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      // kafkajs' own waitForLeaders gives up on the first "unknown topic-partition" answer a
      // busy broker can give right after creation; waitForPartitionLeaders retries instead.
      await this.admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: -1,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    if (missing.length > 0) await this.waitForPartitionLeaders(missing.map((t) => t.name));
    return missing.map((t) => t.name);
  }

  /**
   * createTopics returns once the controller has leaders; the broker's own metadata cache can
   * lag behind it for a moment, and a client that asks then is told "does not host this
   * topic-partition". Wait until the metadata answers for every new partition.
   */
  private async waitForPartitionLeaders(topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline)
        throw new Error(`topics without partition leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
      await sleep(100);
    }
  }

  /** Readiness probe: a metadata round trip to the cluster, bounded in time. */
  async ping(timeoutMs = 2_500): Promise<{ up: boolean; detail: string }> {
    const attempt = (async () => {
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      return {
        up: true,
        detail: `${cluster.brokers.length} broker(s): ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',')}`,
      };
    })();
    const timeout = new Promise<{ up: boolean; detail: string }>((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({
            up: false,
            detail: `no answer from ${this.options.brokers.join(',')} within ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([attempt, timeout]);
    } catch (error) {
      return { up: false, detail: (error as Error).message };
    } finally {
      attempt.catch(() => undefined);
    }
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    this.producerConnected = undefined;
  }

  private async ensureProducer(): Promise<void> {
    this.producerConnected ??= this.producer.connect().catch((error: unknown) => {
      this.producerConnected = undefined;
      throw error;
    });
    await this.producerConnected;
  }

  private async handleWithRetries<T>(
    topic: string,
    messages: KafkaMessage[],
    events: ConsumedEvent<T>[],
    handle: (events: ConsumedEvent<T>[]) => Promise<void>,
    maxAttempts: number,
  ): Promise<void> {
    const parent = extractTraceContext(messages[0]?.headers);
    const span = tracer().startSpan(
      `consume ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          'messaging.batch.message_count': events.length,
        },
      },
      parent,
    );
    const stopTimer = this.options.metrics.handlerSeconds.startTimer({ topic });
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await context.with(trace.setSpan(parent, span), () => handle(events));
          return;
        } catch (error) {
          if (error instanceof PermanentEventError) {
            // Re-run the batch one event at a time: the ones that are fine still count,
            // the ones rejected for good go to the dead-letter topic.
            await this.isolatePermanentFailures(topic, messages, events, handle);
            return;
          }
          if (attempt >= maxAttempts) throw error;
          this.options.logger.event(
            'warn',
            'batch handler failed; retrying',
            { topic, attempt, error: (error as Error).message },
            'Kafka',
          );
          await sleep(200 * 2 ** attempt);
        }
      }
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      stopTimer();
      span.end();
    }
  }

  private async isolatePermanentFailures<T>(
    topic: string,
    messages: KafkaMessage[],
    events: ConsumedEvent<T>[],
    handle: (events: ConsumedEvent<T>[]) => Promise<void>,
  ): Promise<void> {
    const byOffset = new Map(messages.map((m) => [m.offset, m]));
    for (const event of events) {
      try {
        await handle([event]);
      } catch (error) {
        if (!(error instanceof PermanentEventError)) throw error;
        const message = byOffset.get(event.offset);
        if (message)
          await this.deadLetterAll(topic, event.partition, [
            { message, reason: `handler rejected: ${error.message}` },
          ]);
      }
    }
  }

  /**
   * Sends messages of one consumed partition to the topic's dead-letter topic, each with its
   * reason, where it came from and its original headers, in one request. Every consumer
   * dead-letters through here, so the format and the metric are the same everywhere.
   */
  async deadLetterAll(
    topic: string,
    partition: number,
    letters: { message: KafkaMessage; reason: string }[],
  ): Promise<void> {
    if (letters.length === 0) return;
    const atMs = String(Date.now());
    await this.sendRaw(
      deadLetterTopicName(topic, this.options.topicPrefix),
      letters.map(({ message, reason }) => {
        const headers: IHeaders = { ...(message.headers ?? {}) };
        headers[HEADERS.deadLetterReason] = reason.slice(0, 4_000);
        headers[HEADERS.deadLetterTopic] = topicName(topic, this.options.topicPrefix);
        headers[HEADERS.deadLetterPartition] = String(partition);
        headers[HEADERS.deadLetterOffset] = message.offset;
        headers[HEADERS.deadLetterAtMs] = atMs;
        return { key: message.key, value: message.value, headers };
      }),
    );
    this.options.metrics.deadLettered.inc({ topic }, letters.length);
    for (const { message, reason } of letters) {
      this.options.logger.event(
        'warn',
        'message sent to dead-letter topic',
        { topic, partition, offset: message.offset, reason },
        'Kafka',
      );
    }
  }

  private logKafka(entry: LogEntry): void {
    // kafkajs warns below MAX_SAFE_INTEGER retries; ours are effectively unlimited (see createProducer).
    if (String(entry.log.message).startsWith('Limiting retries for the idempotent producer')) return;
    const level =
      entry.level <= KafkaLogLevel.ERROR ? 'error' : entry.level === KafkaLogLevel.WARN ? 'warn' : 'debug';
    const { message, ...fields } = entry.log;
    this.options.logger.event(level, String(message), { ...fields, namespace: entry.namespace }, 'kafkajs');
  }
}

const EFFECTIVELY_UNLIMITED_RETRIES = 1_000_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
