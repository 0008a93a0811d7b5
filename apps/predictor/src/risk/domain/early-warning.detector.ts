import {
  linearFit,
  MAD_TO_SIGMA,
  median,
  medianAbsoluteDeviation,
  pearsonCorrelation,
} from '../../forecasting/domain/index.js';
import type { HealthMetric, HealthSample, WarningKind } from './health-sample.js';
import { HEALTH_METRICS } from './health-sample.js';

const HOUR_MS = 3_600_000;

/**
 * When a metric's rise is worth a warning. A rise must clear both the absolute and the
 * relative floor, so a 2 ms → 3 ms latency wobble or 1 % more memory never pages anyone,
 * however significant statistically.
 */
export interface WarningRule {
  readonly metric: HealthMetric;
  readonly kind: WarningKind;
  readonly minAbsoluteRise: number;
  /** As a fraction of the baseline median. */
  readonly minRelativeRise: number;
  /** Whether a steady upward trend alone may warn. Off for CPU, whose daily cycle is a trend every morning. */
  readonly trend: boolean;
}

/** Error-log rate has no rule: it rises with every kind of trouble, so it only appears as a precursor. */
export const DEFAULT_WARNING_RULES: readonly WarningRule[] = [
  { metric: 'diskReadP99Ms', kind: 'disk', minAbsoluteRise: 2, minRelativeRise: 0.5, trend: true },
  { metric: 'diskWriteP99Ms', kind: 'disk', minAbsoluteRise: 2, minRelativeRise: 0.5, trend: true },
  { metric: 'diskIoErrors', kind: 'disk', minAbsoluteRise: 1, minRelativeRise: 0, trend: true },
  { metric: 'diskQueueDepth', kind: 'disk', minAbsoluteRise: 2, minRelativeRise: 0.5, trend: true },
  { metric: 'missedHeartbeats', kind: 'network', minAbsoluteRise: 1, minRelativeRise: 0, trend: true },
  { metric: 'cpu', kind: 'cpu', minAbsoluteRise: 0.5, minRelativeRise: 1, trend: false },
  { metric: 'eventLoopDelayP99Ms', kind: 'cpu', minAbsoluteRise: 20, minRelativeRise: 1, trend: true },
  {
    metric: 'memoryBytes',
    kind: 'memory',
    minAbsoluteRise: 256 * 1024 * 1024,
    minRelativeRise: 0.1,
    trend: true,
  },
];

export interface EarlyWarningOptions {
  readonly rules?: readonly WarningRule[];
  /** The most recent samples, compared with all earlier ones in the window (default 6). */
  readonly recentSamples?: number;
  /** A level shift must exceed this many robust sigmas of the baseline (default 4). */
  readonly shiftSigmas?: number;
  /** A trend must have at least this t-statistic (default 5). */
  readonly trendTStatistic?: number;
  /** Co-moving metrics with at least this correlation are listed as precursors (default 0.6). */
  readonly precursorCorrelation?: number;
}

export interface Precursor {
  readonly feature: HealthMetric;
  readonly correlation: number;
}

export interface EarlyWarning {
  readonly kind: WarningKind;
  /** The metric that raised the warning (the strongest, when several of this kind did). */
  readonly feature: HealthMetric;
  readonly reason: 'level-shift' | 'trend';
  /** Median of the recent samples. */
  readonly value: number;
  /** Median of the earlier samples. */
  readonly baseline: number;
  /** Rise in robust sigmas of the baseline. */
  readonly shiftSigmas: number;
  readonly slopePerHour: number;
  /** Other metrics of the same kind that raised too. */
  readonly alsoRaised: readonly HealthMetric[];
  /** Metrics that rose with it over the window, most correlated first. */
  readonly precursors: readonly Precursor[];
}

interface Raised {
  readonly rule: WarningRule;
  readonly reason: 'level-shift' | 'trend';
  readonly value: number;
  readonly baseline: number;
  readonly shiftSigmas: number;
  readonly slopePerHour: number;
  /** Evidence in units of its own threshold, to pick the strongest per kind. */
  readonly strength: number;
}

/**
 * Label-free early warnings from one node's recent window (e.g. the last 6 h), for
 * before any failure has been recorded to train on. Each rule's metric is tested two ways:
 * - level shift: median of the recent samples vs median and MAD of the earlier ones;
 *   medians make a single stalled sample (a GC pause, a neighbour's backup) harmless;
 * - trend: a least-squares slope with a high t-statistic whose rise over the window
 *   clears the rule's floors: catches a steady climb whose spread hides it from the
 *   shift test, like a leak.
 * One warning per kind, named after the metric with the strongest evidence.
 */
export function detectEarlyWarnings(
  samples: readonly HealthSample[],
  options: EarlyWarningOptions = {},
): EarlyWarning[] {
  const rules = options.rules ?? DEFAULT_WARNING_RULES;
  const recentCount = options.recentSamples ?? 6;
  const shiftThreshold = options.shiftSigmas ?? 4;
  const trendThreshold = options.trendTStatistic ?? 5;
  const correlationThreshold = options.precursorCorrelation ?? 0.6;
  // Too short a baseline makes the MAD meaningless.
  if (samples.length < recentCount * 3) return [];

  const end = (samples[samples.length - 1] as HealthSample).atMs;
  const hours = samples.map((s) => (s.atMs - end) / HOUR_MS);
  const spanHours = -(hours[0] as number);
  const series = new Map<HealthMetric, number[]>(HEALTH_METRICS.map((m) => [m, samples.map((s) => s[m])]));
  const split = samples.length - recentCount;
  const rose = new Map<HealthMetric, boolean>();
  for (const metric of HEALTH_METRICS) {
    const values = series.get(metric) as number[];
    rose.set(metric, median(values.slice(split)) > median(values.slice(0, split)));
  }

  const raised: Raised[] = [];
  for (const rule of rules) {
    const values = series.get(rule.metric) as number[];
    const earlier = values.slice(0, split);
    const baseline = median(earlier);
    const value = median(values.slice(split));
    const floor = Math.max(rule.minAbsoluteRise, rule.minRelativeRise * Math.abs(baseline));
    // A flat baseline (MAD 0) would make any rise infinitely many sigmas; the floor is the unit then.
    const sigma = Math.max(MAD_TO_SIGMA * medianAbsoluteDeviation(earlier), floor / shiftThreshold, 1e-12);
    const shiftSigmas = (value - baseline) / sigma;
    const fit = linearFit(hours, values);
    const trendRise = fit.slope * spanHours;
    if (value - baseline >= floor && shiftSigmas >= shiftThreshold) {
      raised.push({
        rule,
        reason: 'level-shift',
        value,
        baseline,
        shiftSigmas,
        slopePerHour: fit.slope,
        strength: shiftSigmas / shiftThreshold,
      });
    } else if (rule.trend && fit.tStatistic >= trendThreshold && trendRise >= floor && value > baseline) {
      raised.push({
        rule,
        reason: 'trend',
        value,
        baseline,
        shiftSigmas,
        slopePerHour: fit.slope,
        strength: fit.tStatistic / trendThreshold,
      });
    }
  }

  const warnings: EarlyWarning[] = [];
  for (const kind of [...new Set(raised.map((r) => r.rule.kind))]) {
    const ofKind = raised.filter((r) => r.rule.kind === kind).sort((a, b) => b.strength - a.strength);
    const top = ofKind[0] as Raised;
    const own = series.get(top.rule.metric) as number[];
    const precursors = HEALTH_METRICS.filter((m) => m !== top.rule.metric && rose.get(m))
      .map((m) => ({ feature: m, correlation: pearsonCorrelation(own, series.get(m) as number[]) }))
      .filter((p) => p.correlation >= correlationThreshold)
      .sort((a, b) => b.correlation - a.correlation);
    warnings.push({
      kind,
      feature: top.rule.metric,
      reason: top.reason,
      value: top.value,
      baseline: top.baseline,
      shiftSigmas: top.shiftSigmas,
      slopePerHour: top.slopePerHour,
      alsoRaised: ofKind.slice(1).map((r) => r.rule.metric),
      precursors,
    });
  }
  return warnings;
}
