const DAY_MS = 24 * 3_600_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * The daily and weekly seasons in steps of `intervalMs`, where an interval divides them
 * evenly (a 7-minute interval has no whole-step daily season, so it gets none).
 */
export function seasonLengthsFor(intervalMs: number): number[] {
  if (!Number.isInteger(intervalMs) || intervalMs < 1)
    throw new RangeError('intervalMs must be a positive integer');
  return [DAY_MS, WEEK_MS]
    .filter((period) => period % intervalMs === 0 && period / intervalMs >= 2)
    .map((period) => period / intervalMs);
}
