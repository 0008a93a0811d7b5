import type { HealthSample, NodeHealthHistory } from './health-sample.js';

/** Health of a node over one bucket of time (e.g. a minute): means of its samples, and how many arrived. */
export interface HealthAggregate extends Omit<HealthSample, 'missedHeartbeats'> {
  /** Start of the bucket. */
  readonly atMs: number;
  readonly sampleCount: number;
}

/**
 * Samples for the risk models from per-bucket aggregates. Nodes report every few seconds,
 * far finer than failures develop, so training and scoring both read one aggregate per
 * bucket: the same resolution on both sides keeps the features comparable. Missed
 * heartbeats are the samples a bucket lacks, plus every sample of buckets with none.
 */
export function samplesFromAggregates(
  aggregates: readonly HealthAggregate[],
  bucketMs: number,
  sampleIntervalMs: number,
): HealthSample[] {
  if (!(bucketMs > 0) || !(sampleIntervalMs > 0))
    throw new RangeError('bucket and sample intervals must be positive');
  const expected = Math.max(1, Math.round(bucketMs / sampleIntervalMs));
  return aggregates.map((aggregate, i) => {
    const previous = aggregates[i - 1];
    const silentBuckets =
      previous === undefined ? 0 : Math.max(0, Math.round((aggregate.atMs - previous.atMs) / bucketMs) - 1);
    const { sampleCount, ...sample } = aggregate;
    return { ...sample, missedHeartbeats: silentBuckets * expected + Math.max(0, expected - sampleCount) };
  });
}

export interface RecordedNode {
  readonly nodeId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Oldest first. */
  readonly samples: readonly HealthSample[];
}

/**
 * Training histories from what was recorded: a node that failed, came back and failed again
 * gives one history per life (`node-7#1`, `node-7#2`, …), each ending at its failure, and the
 * samples after its last failure form a history still running. Failures close together (a
 * lifecycle event and the restorer's record of the same failure) count once.
 */
export function splitIntoLives(
  node: RecordedNode,
  failureTimesMs: readonly number[],
  mergeWithinMs: number,
): NodeHealthHistory[] {
  const failures: number[] = [];
  for (const at of [...failureTimesMs].sort((a, b) => a - b)) {
    const previous = failures[failures.length - 1];
    if (previous === undefined || at - previous > mergeWithinMs) failures.push(at);
  }
  const lives: NodeHealthHistory[] = [];
  let from = Number.NEGATIVE_INFINITY;
  failures.forEach((failureAtMs, i) => {
    const samples = node.samples.filter((s) => s.atMs > from && s.atMs < failureAtMs);
    if (samples.length > 0)
      lives.push({ nodeId: `${node.nodeId}#${i + 1}`, labels: node.labels, samples, failureAtMs });
    from = failureAtMs;
  });
  const running = node.samples.filter((s) => s.atMs > from);
  if (running.length > 0) {
    lives.push({
      nodeId: failures.length === 0 ? node.nodeId : `${node.nodeId}#${failures.length + 1}`,
      labels: node.labels,
      samples: running,
    });
  }
  return lives;
}
