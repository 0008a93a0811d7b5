import type { z } from 'zod';
import { accessEventV1 } from './events/access.v1.js';
import { forecastV1 } from './events/forecast.v1.js';
import { heatV1 } from './events/heat.v1.js';
import { jobEventV1 } from './events/jobs.v1.js';
import { nodeHealthEventV1 } from './events/node-health.v1.js';
import { nodeRiskV1 } from './events/node-risk.v1.js';
import { recoveryProfileV1 } from './events/recovery-profile.v1.js';
import { restoreProgressV1 } from './events/restore-progress.v1.js';
import { shardStateV1 } from './events/shardmap.v1.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TopicSpec<Schema extends z.ZodType = z.ZodType> {
  /** Wire name of the topic (before any environment prefix). */
  readonly name: string;
  /** Versioned wire name of the event this topic carries; sent in the `sc-event` header. */
  readonly event: string;
  readonly schema: Schema;
  /** What the message key is, and why that key orders the events. */
  readonly keyDoc: string;
  readonly keyOf: (value: z.output<Schema>) => string;
  /** Default partition count; partition by the key (murmur2, kafkajs' default partitioner). */
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

function topic<Schema extends z.ZodType>(spec: TopicSpec<Schema>): TopicSpec<Schema> {
  return spec;
}

const retention = (days: number): Record<string, string> => ({
  'cleanup.policy': 'delete',
  'retention.ms': String(days * DAY_MS),
});

/** Every JSON event topic, bound once to its schema. */
export const TOPICS = {
  access: topic({
    name: 'access',
    event: 'access.v1',
    schema: accessEventV1,
    keyDoc:
      'summaries: the shard id; raw events: the key (or its hash). Per-shard summaries stay in order, and a shard’s accesses land on one partition, so one profiler instance owns its heat.',
    keyOf: (e) => (e.kind === 'summary' ? e.shardId : (e.key ?? e.keyHash ?? '')),
    partitions: 8,
    config: retention(1),
  }),
  heat: topic({
    name: 'heat',
    event: 'heat.v1',
    schema: heatV1,
    keyDoc: 'the shard id: a shard’s snapshots are read in the order they were taken.',
    keyOf: (e) => e.shardId,
    partitions: 8,
    config: retention(7),
  }),
  forecast: topic({
    name: 'forecast',
    event: 'forecast.v1',
    schema: forecastV1,
    keyDoc: 'the shard id: the newest forecast of a shard supersedes the older ones.',
    keyOf: (e) => e.shardId,
    partitions: 4,
    config: retention(7),
  }),
  nodeRisk: topic({
    name: 'node-risk',
    event: 'node-risk.v1',
    schema: nodeRiskV1,
    keyDoc: 'the node id: a node’s risk estimates stay in order.',
    keyOf: (e) => e.nodeId,
    partitions: 2,
    config: retention(7),
  }),
  recoveryProfile: topic({
    name: 'recovery-profile',
    event: 'recovery-profile.v1',
    schema: recoveryProfileV1,
    keyDoc: 'the node id: the newest profile of a node supersedes the older ones.',
    keyOf: (e) => e.nodeId,
    partitions: 2,
    config: retention(7),
  }),
  nodeHealth: topic({
    name: 'node-health',
    event: 'node-health.v1',
    schema: nodeHealthEventV1,
    keyDoc: 'the node id: a node’s samples and lifecycle changes are read in the order they happened.',
    keyOf: (e) => e.nodeId,
    partitions: 4,
    config: retention(7),
  }),
  shardmap: topic({
    name: 'shardmap',
    event: 'shardmap.v1',
    schema: shardStateV1,
    keyDoc:
      'the shard id on a compacted topic: each message is the shard’s whole state at an epoch, so compaction keeps every shard’s latest state and a new node can bootstrap from it.',
    keyOf: (e) => e.shardId,
    partitions: 1,
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(60 * 60 * 1000) },
  }),
  jobs: topic({
    name: 'jobs',
    event: 'jobs.v1',
    schema: jobEventV1,
    keyDoc: 'the job id: a job’s issue and its results stay in order.',
    keyOf: (e) => e.jobId,
    partitions: 4,
    config: retention(7),
  }),
  restoreProgress: topic({
    name: 'restore-progress',
    event: 'restore-progress.v1',
    schema: restoreProgressV1,
    keyDoc: 'the recovery id: one recovery’s progress reads in order.',
    keyOf: (e) => e.recoveryId,
    partitions: 2,
    config: retention(30),
  }),
} as const;

export type TopicKey = keyof typeof TOPICS;
export type EventOf<K extends TopicKey> = z.output<(typeof TOPICS)[K]['schema']>;

/**
 * The commit log of the data plane. Its values are binary log records (owned by the
 * storage-node); its key is the key itself; partition = the static hash range holding
 * xxhash64(key) (see keyspace.ts), fixed for the cluster's life. Compacted, so the log
 * keeps every key's latest record (tombstones for `delete.retention.ms`) and a replica can
 * always be rebuilt by replay.
 */
export const KV_LOG_TOPIC = {
  name: 'kv.log',
  keyDoc: 'the key bytes; the partition is the static hash range of xxhash64(key), not murmur2',
  defaultPartitions: 16,
  config: {
    'cleanup.policy': 'compact',
    'delete.retention.ms': String(7 * DAY_MS),
    'min.compaction.lag.ms': String(DAY_MS),
  },
} as const;

/** Suffix of the dead-letter topic that holds a topic's undecodable messages. */
export const DEAD_LETTER_SUFFIX = '.dlq';

export function topicName(name: string, prefix = ''): string {
  return `${prefix}${name}`;
}

export function deadLetterTopicName(name: string, prefix = ''): string {
  return `${prefix}${name}${DEAD_LETTER_SUFFIX}`;
}

/** What the stack creates: every topic, its dead-letter twin, and kv.log with the cluster's P. */
export function topicPlan(
  options: { prefix?: string; kvLogPartitions?: number } = {},
): { name: string; partitions: number; config: Record<string, string> }[] {
  const prefix = options.prefix ?? '';
  const plan = Object.values(TOPICS).flatMap((spec) => [
    { name: topicName(spec.name, prefix), partitions: spec.partitions, config: { ...spec.config } },
    { name: deadLetterTopicName(spec.name, prefix), partitions: 1, config: retention(30) },
  ]);
  plan.push({
    name: topicName(KV_LOG_TOPIC.name, prefix),
    partitions: options.kvLogPartitions ?? KV_LOG_TOPIC.defaultPartitions,
    config: { ...KV_LOG_TOPIC.config },
  });
  return plan;
}
