import { clamp, MAD_TO_SIGMA, median, medianAbsoluteDeviation } from './statistics.js';

export interface UpdateWindowPrediction {
  /** Expected start of the next burst of writes (epoch ms). */
  readonly startMs: number;
  readonly endMs: number;
  /** Writes expected in the burst (median of past bursts). */
  readonly expectedVolume: number;
  readonly periodMs: number;
  /** 0–1: how regular past bursts were in timing and size, and how many there were. */
  readonly confidence: number;
  readonly burstsSeen: number;
}

export interface PrefetchOptions {
  /** Below this confidence there is no prediction (default 0.5). */
  readonly minConfidence?: number;
  /** A step is part of a burst above median + k·(robust sigma) (default 3). */
  readonly burstSigmas?: number;
  /** Fewest bursts to infer a period from (default 3, i.e. two intervals). */
  readonly minBursts?: number;
}

interface Burst {
  readonly start: number;
  readonly length: number;
  readonly volume: number;
}

/**
 * Predicts when a shard's next bulk update lands, so its data can be prefetched (shadowed,
 * moved to the fast tier) before the writes arrive. Bursts are runs of steps well above the
 * write baseline; their period is the median gap between burst starts. Confidence multiplies
 * three scores: timing regularity (1 − 4·relative MAD of gaps, so a jitter of a quarter of
 * the period leaves nothing), size regularity (1 − relative MAD of volumes) and support
 * (g/(g+1) for g gaps seen). Each period that passed after the last burst without one
 * halves it. Returns null below `minConfidence`.
 */
export function predictNextUpdateWindow(
  writes: readonly number[],
  timing: { readonly startMs: number; readonly intervalMs: number },
  options: PrefetchOptions = {},
): UpdateWindowPrediction | null {
  const minConfidence = options.minConfidence ?? 0.5;
  const bursts = findBursts(writes, options.burstSigmas ?? 3);
  if (bursts.length < Math.max(2, options.minBursts ?? 3)) return null;

  const gaps = bursts.slice(1).map((b, i) => b.start - (bursts[i] as Burst).start);
  const period = median(gaps);
  const timingScore = clamp(1 - (4 * medianAbsoluteDeviation(gaps)) / period, 0, 1);
  const volumes = bursts.map((b) => b.volume);
  const volume = median(volumes);
  const sizeScore = volume > 0 ? clamp(1 - medianAbsoluteDeviation(volumes) / volume, 0, 1) : 0;
  const support = gaps.length / (gaps.length + 1);

  const last = bursts[bursts.length - 1] as Burst;
  let next = last.start + period;
  let missed = 0;
  while (next < writes.length - Math.floor(period / 4)) {
    // The burst was due within the data and did not come (allowing a quarter period of lateness).
    next += period;
    missed += 1;
  }
  const confidence = timingScore * sizeScore * support * 0.5 ** missed;
  if (confidence < minConfidence) return null;
  const length = Math.max(1, Math.round(median(bursts.map((b) => b.length))));
  const startMs = timing.startMs + Math.round(next) * timing.intervalMs;
  return {
    startMs,
    endMs: startMs + length * timing.intervalMs,
    expectedVolume: volume,
    periodMs: period * timing.intervalMs,
    confidence,
    burstsSeen: bursts.length,
  };
}

function findBursts(writes: readonly number[], sigmas: number): Burst[] {
  if (writes.length === 0) return [];
  const baseline = median(writes);
  // Write counts are integers: a spread under one write means a flat baseline, not zero noise.
  const spread = Math.max(1, MAD_TO_SIGMA * medianAbsoluteDeviation(writes));
  const threshold = baseline + sigmas * spread;
  const bursts: Burst[] = [];
  let start = -1;
  let volume = 0;
  writes.forEach((w, i) => {
    if (w > threshold) {
      if (start < 0) start = i;
      volume += w;
    } else if (start >= 0) {
      bursts.push({ start, length: i - start, volume });
      start = -1;
      volume = 0;
    }
  });
  // A burst still running at the end is incomplete: its volume would understate the next one.
  return bursts;
}
