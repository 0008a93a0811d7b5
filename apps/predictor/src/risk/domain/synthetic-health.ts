import type { RandomSource } from '../../forecasting/domain/index.js';
import { clamp, gaussian, mulberry32, poisson } from '../../forecasting/domain/index.js';
import type { HealthSample, NodeHealthHistory, WarningKind } from './health-sample.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Degradation {
  readonly kind: WarningKind;
  /** When symptoms start; they grow with the square of the time elapsed towards the failure. */
  readonly onsetMs: number;
  readonly failureAtMs: number;
  /** Scales every symptom (default 1); some disks die quietly. */
  readonly severity?: number;
}

export interface SyntheticNodeOptions {
  readonly nodeId: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly startMs: number;
  readonly intervalMs: number;
  /** Samples until this time (exclusive) or until the failure, whichever comes first. */
  readonly endMs: number;
  readonly seed: number;
  readonly degradation?: Degradation;
}

/**
 * A seeded node history. Healthy nodes have their own baselines, lognormal noise, a daily
 * CPU cycle, rare transient latency spikes and the odd I/O error or missed heartbeat.
 * A degrading node adds symptoms of its kind growing from onset to failure, e.g. for disk:
 * read/write latency up to ×9–11, I/O errors, a growing queue, more error logs. Samples
 * stop at the failure.
 */
export function generateNodeHealth(options: SyntheticNodeOptions): NodeHealthHistory {
  const random = mulberry32(options.seed);
  const between = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const readBase = between(3, 6);
  const writeBase = readBase * between(1.3, 1.8);
  const queueBase = between(0.5, 2);
  const cpuBase = between(0.4, 1.2);
  const memoryBase = between(2e9, 6e9);
  const loopBase = between(5, 15);
  const errorLogBase = between(0.05, 0.3);
  const lognormal = (sigma: number): number => Math.exp(sigma * gaussian(random));

  const end = Math.min(options.endMs, options.degradation?.failureAtMs ?? Number.POSITIVE_INFINITY);
  const samples: HealthSample[] = [];
  for (let t = options.startMs; t < end; t += options.intervalMs) {
    const spike = random() < 0.01 ? 3 : 1; // a transient stall: a neighbour's backup, a GC pause
    const cycle = 1 + 0.25 * Math.sin((2 * Math.PI * (t % DAY_MS)) / DAY_MS);
    const sample = {
      atMs: t,
      diskReadP99Ms: readBase * lognormal(0.15) * spike,
      diskWriteP99Ms: writeBase * lognormal(0.15) * spike,
      diskIoErrors: poisson(random, 0.005),
      diskQueueDepth: Math.max(0, queueBase * lognormal(0.2) + (spike > 1 ? 3 : 0)),
      cpu: cpuBase * cycle * lognormal(0.1),
      memoryBytes: memoryBase * lognormal(0.01),
      eventLoopDelayP99Ms: loopBase * lognormal(0.2),
      errorLogRate: errorLogBase * lognormal(0.3),
      missedHeartbeats: poisson(random, 0.002),
    };
    const d = options.degradation;
    samples.push(d ? degrade(sample, d, t, random) : sample);
  }
  return {
    nodeId: options.nodeId,
    labels: options.labels ?? {},
    samples,
    ...(options.degradation ? { failureAtMs: options.degradation.failureAtMs } : {}),
  };
}

function degrade(sample: HealthSample, d: Degradation, t: number, random: RandomSource): HealthSample {
  const progress = clamp((t - d.onsetMs) / (d.failureAtMs - d.onsetMs), 0, 1);
  const s = progress * progress * (d.severity ?? 1);
  if (s === 0) return sample;
  switch (d.kind) {
    case 'disk':
      return {
        ...sample,
        diskReadP99Ms: sample.diskReadP99Ms * (1 + 8 * s),
        diskWriteP99Ms: sample.diskWriteP99Ms * (1 + 10 * s),
        diskIoErrors: sample.diskIoErrors + poisson(random, 3 * s),
        diskQueueDepth: sample.diskQueueDepth + 15 * s * (1 + 0.2 * gaussian(random)),
        errorLogRate: sample.errorLogRate + 2 * s,
        eventLoopDelayP99Ms: sample.eventLoopDelayP99Ms + 10 * s,
      };
    case 'memory':
      return {
        ...sample,
        memoryBytes: sample.memoryBytes * (1 + 0.8 * progress), // a leak grows linearly
        eventLoopDelayP99Ms: sample.eventLoopDelayP99Ms + 60 * s, // ever longer GC pauses
        cpu: sample.cpu * (1 + 0.3 * s),
      };
    case 'network':
      return {
        ...sample,
        missedHeartbeats: sample.missedHeartbeats + poisson(random, 2 * s),
        errorLogRate: sample.errorLogRate + s,
      };
    case 'cpu':
      return {
        ...sample,
        cpu: sample.cpu * (1 + 2 * s),
        eventLoopDelayP99Ms: sample.eventLoopDelayP99Ms * (1 + 6 * s),
      };
    default: {
      const unknown: never = d.kind;
      throw new Error(`unknown degradation ${String(unknown)}`);
    }
  }
}

export interface SyntheticFleetOptions {
  readonly healthy: number;
  readonly degrading: number;
  readonly kind?: WarningKind;
  readonly startMs: number;
  readonly intervalMs: number;
  readonly durationMs: number;
  /** Onset to failure, drawn uniformly per degrading node (default 12–24 h). */
  readonly leadTimeMs?: { readonly min: number; readonly max: number };
  /** Symptom severity, drawn uniformly per degrading node (default 0.25–1). */
  readonly severity?: { readonly min: number; readonly max: number };
  /** Zones assigned round-robin; the region label is the zone without its last letter (eu-west-1a → eu-west-1). */
  readonly zones?: readonly string[];
  readonly seed: number;
}

/**
 * Healthy nodes then degrading ones; each degrading node fails at a random time in the
 * second half of the period.
 */
export function generateFleet(options: SyntheticFleetOptions): NodeHealthHistory[] {
  const random = mulberry32(options.seed);
  const lead = options.leadTimeMs ?? { min: 12 * HOUR_MS, max: 24 * HOUR_MS };
  const severityRange = options.severity ?? { min: 0.25, max: 1 };
  const zones = options.zones ?? ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const endMs = options.startMs + options.durationMs;
  const nodes: NodeHealthHistory[] = [];
  for (let i = 0; i < options.healthy + options.degrading; i += 1) {
    const zone = zones[i % zones.length] ?? 'eu-west-1a';
    const common = {
      nodeId: `node-${i}`,
      labels: { zone, region: zone.slice(0, -1) },
      startMs: options.startMs,
      intervalMs: options.intervalMs,
      endMs,
      seed: Math.floor(random() * 2 ** 32),
    };
    if (i < options.healthy) {
      nodes.push(generateNodeHealth(common));
      continue;
    }
    const failureAtMs = Math.round(options.startMs + options.durationMs * (0.5 + 0.5 * random()));
    const onsetMs = Math.round(failureAtMs - (lead.min + (lead.max - lead.min) * random()));
    const severity = severityRange.min + (severityRange.max - severityRange.min) * random();
    const kind = options.kind ?? 'disk';
    nodes.push(generateNodeHealth({ ...common, degradation: { kind, onsetMs, failureAtMs, severity } }));
  }
  return nodes;
}
