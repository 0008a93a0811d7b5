import type { RandomSource } from './seeded-random.js';
import { gaussian, mulberry32 } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface FlashCrowdOptions {
  /** Chance that a spike starts at any given step. */
  readonly probabilityPerStep: number;
  /** Peak load multiplier minus one: 3 means the load quadruples at the spike's start. */
  readonly magnitude: number;
  /** Steps over which the spike decays (exponentially, to ~5 % by the end). */
  readonly durationSteps: number;
}

export interface SyntheticLoadOptions {
  readonly length: number;
  readonly intervalMs: number;
  readonly startMs: number;
  readonly seed: number;
  /** Mean load per interval at the start. */
  readonly base: number;
  /** Load added per day (linear trend). */
  readonly trendPerDay?: number;
  /** Half the peak-to-trough swing of the daily cycle. */
  readonly dailyAmplitude?: number;
  /** Hour of day (UTC) at which the daily cycle peaks (default 14). */
  readonly dailyPeakHourUtc?: number;
  /** Load removed on Saturdays and Sundays (UTC). */
  readonly weekendDrop?: number;
  /** Standard deviation of the additive Gaussian noise. */
  readonly noiseStd?: number;
  readonly flashCrowds?: FlashCrowdOptions;
}

export interface SyntheticLoad {
  readonly values: number[];
  /** The signal without noise or spikes: what a perfect model would forecast. */
  readonly expected: number[];
  readonly stepTimesMs: number[];
  /** Indices where a flash crowd started. */
  readonly spikeStarts: number[];
}

/**
 * A seeded access-load series: linear trend + sinusoidal daily cycle + weekend drop +
 * Gaussian noise, with optional flash crowds (sudden multiplicative spikes that decay).
 * Values are floored at zero like real counts.
 */
export function generateSyntheticLoad(options: SyntheticLoadOptions): SyntheticLoad {
  const random: RandomSource = mulberry32(options.seed);
  const peakHour = options.dailyPeakHourUtc ?? 14;
  const values: number[] = [];
  const expected: number[] = [];
  const stepTimesMs: number[] = [];
  const spikeStarts: number[] = [];
  let spikeAge = Number.POSITIVE_INFINITY;
  const spikes = options.flashCrowds;
  for (let i = 0; i < options.length; i += 1) {
    const t = options.startMs + i * options.intervalMs;
    const days = (t - options.startMs) / DAY_MS;
    const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
    const weekday = new Date(t).getUTCDay();
    const signal =
      options.base +
      (options.trendPerDay ?? 0) * days +
      (options.dailyAmplitude ?? 0) * Math.cos((2 * Math.PI * (hour - peakHour)) / 24) -
      (weekday === 0 || weekday === 6 ? (options.weekendDrop ?? 0) : 0);
    const noise = (options.noiseStd ?? 0) * gaussian(random);
    let multiplier = 1;
    if (spikes) {
      if (random() < spikes.probabilityPerStep) {
        spikeStarts.push(i);
        spikeAge = 0;
      }
      if (spikeAge < spikes.durationSteps) {
        // exp(−3) ≈ 5 %: the spike has all but gone when its duration ends.
        multiplier += spikes.magnitude * Math.exp((-3 * spikeAge) / spikes.durationSteps);
        spikeAge += 1;
      }
    }
    expected.push(Math.max(0, signal));
    values.push(Math.max(0, (signal + noise) * multiplier));
    stepTimesMs.push(t);
  }
  return { values, expected, stepTimesMs, spikeStarts };
}
