import { gaussian, mulberry32 } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface ShiftingHotspotOptions {
  readonly shards: number;
  readonly length: number;
  readonly intervalMs: number;
  readonly startMs: number;
  readonly seed: number;
  /** Median load per interval of a shard; shards spread lognormally around it (sigma 0.5). */
  readonly baseLoad: number;
  /** Daily swing as a fraction of the shard's level (default 0.5). */
  readonly dailyAmplitude?: number;
  /** Share of load lost on Saturdays and Sundays (default 0.25). */
  readonly weekendDrop?: number;
  /** Gaussian noise std as a fraction of the expected load (default 0.08). */
  readonly noise?: number;
  /** Hotspots alive at once (default 2). */
  readonly hotspots?: number;
  /** Extra load of a hotspot at its peak, as a multiple of the shard's level (default 3). */
  readonly magnitude?: number;
  /** Steps a hotspot stays on a shard, drawn uniformly (default 36–96). */
  readonly dwellSteps?: { readonly min: number; readonly max: number };
  /** Steps to ramp up on arrival and down on departure (default 4). */
  readonly rampSteps?: number;
}

export interface HotspotVisit {
  readonly shard: number;
  readonly fromStep: number;
  readonly toStep: number;
}

export interface ShiftingHotspotLoad {
  /** One series per shard, loads per interval. */
  readonly series: number[][];
  readonly stepTimesMs: number[];
  /** Where each hotspot was and when, in order of arrival. */
  readonly visits: HotspotVisit[];
}

/**
 * A keyspace whose hot range moves: every shard has its own level, a daily cycle peaking
 * in the afternoon (UTC) and quieter weekends, with multiplicative noise; a few hotspots
 * (a trending key range, a tenant's batch job) each sit on one shard for a day or so,
 * ramping up and down, then move to the neighbouring shard (as time-ordered keys walk the
 * hash space of a range-partitioned index) or, one time in four, jump anywhere.
 *
 * What it tests: a model must follow level shifts within hours (a seasonal-naive model
 * repeats yesterday's hotspot for a whole day) while keeping the daily shape.
 */
export function generateShiftingHotspotLoad(options: ShiftingHotspotOptions): ShiftingHotspotLoad {
  const random = mulberry32(options.seed);
  const amplitude = options.dailyAmplitude ?? 0.5;
  const weekendDrop = options.weekendDrop ?? 0.25;
  const noise = options.noise ?? 0.08;
  const magnitude = options.magnitude ?? 3;
  const dwell = options.dwellSteps ?? { min: 36, max: 96 };
  const ramp = Math.max(1, options.rampSteps ?? 4);
  const levels = Array.from(
    { length: options.shards },
    () => options.baseLoad * Math.exp(0.5 * gaussian(random)),
  );
  const peakHours = levels.map(() => 13 + 4 * random());
  const boost = Array.from({ length: options.shards }, () => new Array<number>(options.length).fill(0));

  const visits: HotspotVisit[] = [];
  for (let h = 0; h < (options.hotspots ?? 2); h += 1) {
    let shard = Math.floor(random() * options.shards);
    // Staggered starts, so hotspots do not all move at the same step.
    let step = -Math.floor(random() * dwell.max);
    while (step < options.length) {
      const stay = dwell.min + Math.floor(random() * (dwell.max - dwell.min + 1));
      const from = step;
      const to = step + stay;
      for (let t = Math.max(0, from); t < Math.min(options.length, to); t += 1) {
        const rampIn = Math.min(1, (t - from + 1) / ramp);
        const rampOut = Math.min(1, (to - t) / ramp);
        const row = boost[shard] as number[];
        row[t] = (row[t] as number) + magnitude * Math.min(rampIn, rampOut);
      }
      if (to > 0) visits.push({ shard, fromStep: Math.max(0, from), toStep: Math.min(options.length, to) });
      shard = random() < 0.75 ? (shard + 1) % options.shards : Math.floor(random() * options.shards);
      step = to;
    }
  }
  visits.sort((a, b) => a.fromStep - b.fromStep || a.shard - b.shard);

  const stepTimesMs = Array.from(
    { length: options.length },
    (_, t) => options.startMs + t * options.intervalMs,
  );
  const series = levels.map((level, s) =>
    stepTimesMs.map((time, t) => {
      const hour = (((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
      const weekday = new Date(time).getUTCDay();
      const daily = 1 + amplitude * Math.cos((2 * Math.PI * (hour - (peakHours[s] as number))) / 24);
      const weekly = weekday === 0 || weekday === 6 ? 1 - weekendDrop : 1;
      const expected = level * daily * weekly * (1 + ((boost[s] as number[])[t] as number));
      return Math.max(0, Math.round(expected * (1 + noise * gaussian(random))));
    }),
  );
  return { series, stepTimesMs, visits };
}
