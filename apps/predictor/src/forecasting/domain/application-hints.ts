import type { HashRange } from '@shardcast/contracts';
import type { QuantileForecast } from './forecast-model.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** 0 = Sunday … 6 = Saturday, as Date.getUTCDay(). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Which keys a hint is about. */
export type HintScope =
  | { readonly kind: 'hash-range'; readonly range: HashRange }
  | { readonly kind: 'key-prefix'; readonly prefix: string }
  /** Lexicographic key range [start, end). */
  | { readonly kind: 'key-range'; readonly start: string; readonly end: string };

/** When a hint is in force. Times are UTC. */
export type HintWindow =
  | { readonly kind: 'once'; readonly startMs: number; readonly endMs: number }
  /**
   * Every listed weekday from startMinute to endMinute (minutes after midnight, end up to
   * 1440). When end ≤ start the window runs past midnight into the next day; the weekday
   * is the one it starts on.
   */
  | {
      readonly kind: 'recurring';
      readonly weekdays: readonly Weekday[];
      readonly startMinute: number;
      readonly endMinute: number;
    };

/** An application's advance notice: "load on these keys × factor during this window". */
export interface ApplicationHint {
  readonly id: string;
  readonly scope: HintScope;
  readonly window: HintWindow;
  /** Multiplies every quantile in the window: 3 for a launch tripling traffic, 0.5 for a planned drain. */
  readonly factor: number;
}

/** What a shard is, for matching hint scopes: its hash range and the keys it is known to hold (top keys). */
export interface HintTarget {
  readonly range: HashRange;
  readonly sampledKeys: readonly string[];
}

export interface HintedForecast {
  readonly forecast: QuantileForecast[];
  /** Ids of the hints in force at one or more steps, in the order given. */
  readonly appliedHintIds: string[];
}

/**
 * Parses a recurring window: "<days> HH:MM-HH:MM [UTC]" where days is "daily", a day
 * ("Sat"), a range ("Mon-Fri"), or a list ("Mon,Wed,Fri"). Only UTC is accepted, since a
 * shard's load series is in UTC and local-time rules need a time-zone database.
 */
export function parseRecurringWindow(text: string): HintWindow {
  const match = /^\s*(\S+)\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})(?:\s+(\S+))?\s*$/.exec(text);
  if (!match) throw new SyntaxError(`'${text}' is not "<days> HH:MM-HH:MM UTC"`);
  const [, days = '', h1 = '', m1 = '', h2 = '', m2 = '', zone] = match;
  if (zone !== undefined && zone.toUpperCase() !== 'UTC')
    throw new SyntaxError(`only UTC windows are supported`);
  const startMinute = toMinute(h1, m1, text);
  const endMinute = toMinute(h2, m2, text);
  if (startMinute === endMinute) throw new SyntaxError(`'${text}' is an empty window`);
  if (startMinute === 1440) throw new SyntaxError(`'${text}' cannot start at 24:00`);
  return { kind: 'recurring', weekdays: parseWeekdays(days, text), startMinute, endMinute };
}

export function windowContains(window: HintWindow, timeMs: number): boolean {
  if (window.kind === 'once') return timeMs >= window.startMs && timeMs < window.endMs;
  const msOfDay = ((timeMs % DAY_MS) + DAY_MS) % DAY_MS;
  const weekday = new Date(timeMs).getUTCDay() as Weekday;
  const start = window.startMinute * MINUTE_MS;
  const end = window.endMinute * MINUTE_MS;
  if (start < end) return window.weekdays.includes(weekday) && msOfDay >= start && msOfDay < end;
  const yesterday = ((weekday + 6) % 7) as Weekday;
  return (
    (window.weekdays.includes(weekday) && msOfDay >= start) ||
    (window.weekdays.includes(yesterday) && msOfDay < end)
  );
}

export function hintAppliesTo(scope: HintScope, target: HintTarget): boolean {
  switch (scope.kind) {
    case 'hash-range':
      return scope.range.lo < target.range.hi && target.range.lo < scope.range.hi;
    case 'key-prefix':
      return target.sampledKeys.some((key) => key.startsWith(scope.prefix));
    case 'key-range':
      return target.sampledKeys.some((key) => key >= scope.start && key < scope.end);
    default: {
      const unknown: never = scope;
      throw new Error(`unknown hint scope ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Adjusts a forecast by the hints whose window covers a step's start time; where hints
 * overlap their factors multiply. With a target, only hints whose scope matches it count;
 * without one, the caller has already picked this shard's hints. Key scopes can only be
 * matched through sampled keys (keys are hashed, so a key range has no hash range).
 */
export function applyHints(
  forecast: readonly QuantileForecast[],
  stepTimesMs: readonly number[],
  hints: readonly ApplicationHint[],
  target?: HintTarget,
): HintedForecast {
  if (stepTimesMs.length !== forecast.length) {
    throw new RangeError(`${forecast.length} forecast steps but ${stepTimesMs.length} step times`);
  }
  for (const hint of hints) {
    if (!(hint.factor >= 0) || !Number.isFinite(hint.factor)) {
      throw new RangeError(`hint ${hint.id}: factor must be a non-negative finite number`);
    }
  }
  const relevant = target ? hints.filter((hint) => hintAppliesTo(hint.scope, target)) : hints;
  const used = new Set<string>();
  const adjusted = forecast.map((step, i) => {
    const time = stepTimesMs[i] as number;
    let factor = 1;
    for (const hint of relevant) {
      if (!windowContains(hint.window, time)) continue;
      factor *= hint.factor;
      used.add(hint.id);
    }
    return factor === 1 ? step : { p10: step.p10 * factor, p50: step.p50 * factor, p90: step.p90 * factor };
  });
  return { forecast: adjusted, appliedHintIds: hints.filter((h) => used.has(h.id)).map((h) => h.id) };
}

function toMinute(hours: string, minutes: string, text: string): number {
  const h = Number(hours);
  const m = Number(minutes);
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) throw new SyntaxError(`'${text}' has an invalid time`);
  return h * 60 + m;
}

function parseWeekdays(spec: string, text: string): Weekday[] {
  if (spec.toLowerCase() === 'daily') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<Weekday>();
  for (const part of spec.split(',')) {
    const [from, to, extra] = part.split('-');
    if (extra !== undefined) throw new SyntaxError(`'${text}' has a malformed day range`);
    const first = weekdayOf(from ?? '', text);
    const last = to === undefined ? first : weekdayOf(to, text);
    // Ranges may wrap the week ("Fri-Mon").
    for (let d = first; ; d = ((d + 1) % 7) as Weekday) {
      days.add(d);
      if (d === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

function weekdayOf(name: string, text: string): Weekday {
  const index = WEEKDAYS.findIndex((d) => d.toLowerCase() === name.toLowerCase());
  if (index < 0) throw new SyntaxError(`'${text}': unknown weekday '${name}'`);
  return index as Weekday;
}
