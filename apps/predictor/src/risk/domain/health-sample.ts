/**
 * A storage-node health sample as the risk models see it: the node-health event's
 * numbers plus the heartbeats missed since the previous sample, which the predictor
 * derives from gaps between samples (see missedHeartbeats).
 */
export interface HealthSample {
  readonly atMs: number;
  readonly diskReadP99Ms: number;
  readonly diskWriteP99Ms: number;
  /** I/O errors since the previous sample. */
  readonly diskIoErrors: number;
  readonly diskQueueDepth: number;
  /** Process CPU use, 1.0 = one core. */
  readonly cpu: number;
  readonly memoryBytes: number;
  readonly eventLoopDelayP99Ms: number;
  /** Error log lines per second. */
  readonly errorLogRate: number;
  readonly missedHeartbeats: number;
}

export type HealthMetric = Exclude<keyof HealthSample, 'atMs'>;

export const HEALTH_METRICS: readonly HealthMetric[] = [
  'diskReadP99Ms',
  'diskWriteP99Ms',
  'diskIoErrors',
  'diskQueueDepth',
  'cpu',
  'memoryBytes',
  'eventLoopDelayP99Ms',
  'errorLogRate',
  'missedHeartbeats',
];

/** Early-warning kinds, as in the node-risk event. */
export type WarningKind = 'disk' | 'network' | 'cpu' | 'memory';

/** A node's recorded health, and when it failed if it did. */
export interface NodeHealthHistory {
  readonly nodeId: string;
  /** Placement labels, e.g. { zone: 'eu-west-1a', region: 'eu-west-1' }. */
  readonly labels: Readonly<Record<string, string>>;
  /** Oldest first. */
  readonly samples: readonly HealthSample[];
  readonly failureAtMs?: number;
}

/**
 * Heartbeats missed between two samples: a gap of g expected intervals means g − 1
 * heartbeats never arrived. Rounding absorbs scheduling jitter.
 */
export function missedHeartbeats(previousAtMs: number, atMs: number, expectedIntervalMs: number): number {
  if (!(expectedIntervalMs > 0)) throw new RangeError('expectedIntervalMs must be positive');
  return Math.max(0, Math.round((atMs - previousAtMs) / expectedIntervalMs) - 1);
}
