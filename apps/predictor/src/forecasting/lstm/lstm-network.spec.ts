import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForecastContext } from '../domain/index.js';
import { backtest, generateSyntheticLoad, SeasonalNaiveModel } from '../domain/index.js';
import { LstmForecastModel } from './lstm-forecast.model.js';
import { GlobalLstmNetwork } from './lstm-network.js';
import type { TfjsBackendInfo } from './tfjs-backend.js';
import { selectTfjsBackend } from './tfjs-backend.js';

const HOUR_MS = 3_600_000;
const startMs = Date.UTC(2024, 0, 1);
const context: ForecastContext = { intervalMs: HOUR_MS, startMs, seasonLengths: [24, 168] };
const horizon = 24;
const folds = 4;

// Trend + daily seasonality + noise, as the statistical models are tested on; three shards
// with their own levels, so the network is global in earnest.
const shards = [1, 2, 3].map((seed) =>
  generateSyntheticLoad({
    length: 28 * 24,
    intervalMs: HOUR_MS,
    startMs,
    seed,
    base: 600 + 300 * seed,
    trendPerDay: 10,
    dailyAmplitude: 400,
    noiseStd: 50,
  }),
);
const trainingEnd = 28 * 24 - folds * horizon;

describe('GlobalLstmNetwork', () => {
  let backend: TfjsBackendInfo;
  let network: GlobalLstmNetwork;
  const loop = { ticks: 0, longestGapMs: 0 };

  beforeAll(async () => {
    backend = await selectTfjsBackend('auto');
    network = GlobalLstmNetwork.create({ lookback: 24, horizon, units: 16, seasonLength: 24 }, 3);
    // Only the data before the first backtest origin: the backtest scores windows it never saw.
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      loop.ticks += 1;
      loop.longestGapMs = Math.max(loop.longestGapMs, now - last);
      last = now;
    }, 5);
    try {
      await network.train(
        shards.map((s) => ({
          values: s.values.slice(0, trainingEnd),
          stepTimesMs: s.stepTimesMs.slice(0, trainingEnd),
        })),
        { epochs: 6, batchSize: 64, learningRate: 0.01, maxWindows: 400, seed: 3 },
      );
    } finally {
      clearInterval(timer);
    }
  });

  afterAll(() => network.dispose());

  it('runs on the first backend that starts, tfjs-node, then WASM, then CPU, saying why others did not', () => {
    const chosen = backend.attempts.at(-1);
    expect(chosen).toEqual({ backend: backend.backend, ok: true });
    for (const failed of backend.attempts.slice(0, -1)) {
      expect(failed.ok).toBe(false);
      expect(failed.error).toBeTruthy();
    }
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend.backend);
  });

  it('keeps the event loop turning while it trains: it yields after every batch', () => {
    // 6 epochs of 7 batches: timers ran between them, and no stall came near a whole epoch.
    expect(loop.ticks).toBeGreaterThanOrEqual(20);
    expect(loop.longestGapMs).toBeLessThan(1_500);
  });

  it('recovers trend + daily seasonality + noise with a backtest MASE under seasonal-naive', () => {
    const options = { folds, horizon, minTrain: 14 * 24 };
    for (const shard of shards) {
      const lstm = backtest(shard.values, () => new LstmForecastModel(network), options, context);
      const seasonalNaive = backtest(shard.values, () => new SeasonalNaiveModel(), options, context);
      expect(lstm.metrics.mase).toBeLessThan(seasonalNaive.metrics.mase);
      expect(lstm.metrics.coverage).toBeGreaterThan(0.5);
    }
  });

  it('forecasts the same after a save and a load, and its fitted state round-trips', () => {
    const series = shards[0]!.values;
    const model = new LstmForecastModel(network);
    model.fit(series, context);
    const restored = GlobalLstmNetwork.load(JSON.parse(JSON.stringify(network.save())));
    try {
      const again = new LstmForecastModel(restored);
      again.fit(series, context);
      const a = model.forecast(horizon);
      const b = again.forecast(horizon);
      b.forEach((step, i) => expect(step.p50).toBeCloseTo(a[i]!.p50, 3));
      const imported = new LstmForecastModel(restored);
      imported.importState(model.exportState());
      expect(imported.forecast(horizon)).toEqual(a);
    } finally {
      restored.dispose();
    }
  });

  it('refuses a horizon longer than it was trained for and series shorter than a window', () => {
    const model = new LstmForecastModel(network);
    expect(() => model.fit(shards[0]!.values.slice(0, 30), context)).toThrow(RangeError);
    model.fit(shards[0]!.values, context);
    expect(() => model.forecast(horizon + 1)).toThrow(RangeError);
  });
});
