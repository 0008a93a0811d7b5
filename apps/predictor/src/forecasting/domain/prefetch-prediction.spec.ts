import { describe, expect, it } from 'vitest';
import { predictNextUpdateWindow } from './prefetch-prediction.js';
import { mulberry32, poisson } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const timing = { startMs: Date.UTC(2024, 0, 1), intervalMs: HOUR_MS };

/** Background writes ~5/h with a nightly batch of `volume` writes over two hours at 02:00. */
function nightlyBatch(
  days: number,
  seed: number,
  options: { jitter?: boolean; skipLast?: boolean } = {},
): number[] {
  const random = mulberry32(seed);
  const writes = Array.from({ length: days * 24 }, () => poisson(random, 5));
  for (let day = 0; day < days; day += 1) {
    if (options.skipLast && day === days - 1) continue;
    const start = day * 24 + 2 + (options.jitter ? Math.floor(random() * 12) : 0);
    writes[start] = (writes[start] ?? 0) + 1000;
    writes[start + 1] = (writes[start + 1] ?? 0) + 1000;
  }
  return writes;
}

describe('predictNextUpdateWindow', () => {
  it('predicts the next nightly batch with high confidence', () => {
    // Six days of history ending at midnight: the next batch is day 6 at 02:00.
    const prediction = predictNextUpdateWindow(nightlyBatch(6, 1), timing);
    expect(prediction).not.toBeNull();
    expect(prediction?.startMs).toBe(timing.startMs + (6 * 24 + 2) * HOUR_MS);
    expect(prediction?.endMs).toBe(timing.startMs + (6 * 24 + 4) * HOUR_MS);
    expect(prediction?.periodMs).toBe(24 * HOUR_MS);
    expect(prediction?.expectedVolume).toBeGreaterThan(2000);
    expect(prediction?.expectedVolume).toBeLessThan(2030);
    expect(prediction?.confidence).toBeGreaterThan(0.8);
  });

  it('returns null for bursts at irregular times', () => {
    expect(predictNextUpdateWindow(nightlyBatch(7, 2, { jitter: true }), timing)).toBeNull();
  });

  it('returns null when there are no bursts', () => {
    const random = mulberry32(3);
    expect(
      predictNextUpdateWindow(
        Array.from({ length: 200 }, () => poisson(random, 5)),
        timing,
      ),
    ).toBeNull();
  });

  it('loses confidence when an expected burst did not come', () => {
    const seen = predictNextUpdateWindow(nightlyBatch(8, 4), timing, { minConfidence: 0 });
    const missed = predictNextUpdateWindow(nightlyBatch(8, 4, { skipLast: true }), timing, {
      minConfidence: 0,
    });
    expect(missed?.confidence).toBeLessThan((seen?.confidence ?? 0) * 0.75);
  });
});
