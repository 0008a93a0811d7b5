import * as tf from '@tensorflow/tfjs';
import type { SeriesScaler } from '../domain/index.js';
import type { SavedWeight } from './tfjs-weights.js';
import { loadLayerWeights, saveLayerWeights, yieldToEventLoop } from './tfjs-weights.js';
import {
  fitScaler,
  makeInferenceWindow,
  makeWindows,
  mulberry32,
  scaleValue,
  shuffled,
  WINDOW_FEATURE_NAMES,
} from '../domain/index.js';

export interface LstmArchitecture {
  /** Steps of history each forecast reads. */
  readonly lookback: number;
  /** Steps forecast at once (the network's output width). */
  readonly horizon: number;
  readonly units: number;
  /**
   * The daily season in steps: each forecast step may lean on the seasonal baseline, the
   * mean scaled load at that step's phase over the last `seasons` seasons of the series (read
   * from the history before the window too, so the lookback can be shorter than a day).
   * Without it every step starts from the last load.
   */
  readonly seasonLength?: number;
  /** Past seasons averaged into the seasonal baseline (default 3). */
  readonly seasons?: number;
}

/** What the network reads for one forecast: the window and the two baselines per step. */
export interface NetworkInput {
  /** [lookback][features], as makeWindows builds it. */
  readonly window: readonly (readonly number[])[];
  readonly baselines: WindowBaselines;
}

export interface LstmTrainingOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** At most this many windows per epoch, taken with an even stride over every series. */
  readonly maxWindows: number;
  /** Seeds the weights and the shuffles, so a retrain on the same data is reproducible. */
  readonly seed: number;
}

export const DEFAULT_LSTM_TRAINING: LstmTrainingOptions = {
  epochs: 8,
  batchSize: 32,
  learningRate: 0.005,
  maxWindows: 2048,
  seed: 1,
};

/** One shard's series for training: loads per interval, oldest first, and each step's start time. */
export interface TrainingSeries {
  readonly values: readonly number[];
  readonly stepTimesMs: readonly number[];
}

export interface LstmTrainingReport {
  readonly series: number;
  readonly windows: number;
  readonly epochs: number;
  /** Huber loss (scaled units) after each epoch. */
  readonly lossByEpoch: readonly number[];
  readonly trainingMs: number;
  readonly backend: string;
}

/** The network as JSON: architecture and weights (float32, base64), stored with its model version. */
export interface SavedLstmNetwork {
  readonly formatVersion: 1;
  readonly architecture: LstmArchitecture;
  readonly weights: readonly SavedWeight[];
}

const FEATURES = WINDOW_FEATURE_NAMES.length;

/**
 * The global LSTM: one network for every shard, trained on windows of each shard's series
 * normalised on its own (log1p, z-score) with calendar features, so a shard with little
 * history borrows the shape every shard shares (the daily and weekly cycle).
 *
 * It forecasts the next `horizon` scaled loads as a gated residual over two baselines:
 *
 *   ŷ_h = last + α_h · (seasonal_h − last) + δ_h,   α = sigmoid(Dense([s, g])), δ = Dense([s, g])
 *
 * where `last` is the window's last load, `seasonal_h` the mean load at step h's phase over the
 * last few seasons of the series, g the gaps (seasonal − last) and s the LSTM's state after
 * reading the window. The gate chooses, per window and step, between persistence (right after
 * a level shift or a flash crowd) and seasonal persistence averaged over days (a stable daily
 * cycle, its noise averaged away); δ corrects both. Either baseline alone is a fair forecast,
 * so a few epochs suffice where a plain LSTM would first have to learn to copy levels through.
 * The Huber loss keeps flash crowds in the training windows from dominating the fit.
 */
export class GlobalLstmNetwork {
  private constructor(
    readonly architecture: LstmArchitecture,
    private readonly model: tf.LayersModel,
  ) {}

  static create(architecture: LstmArchitecture, seed = DEFAULT_LSTM_TRAINING.seed): GlobalLstmNetwork {
    assertArchitecture(architecture);
    return new GlobalLstmNetwork(architecture, buildModel(architecture, seed));
  }

  static load(saved: SavedLstmNetwork): GlobalLstmNetwork {
    if (saved.formatVersion !== 1) throw new Error(`unknown LSTM format ${String(saved.formatVersion)}`);
    const network = GlobalLstmNetwork.create(saved.architecture);
    loadLayerWeights(network.model, saved.weights, 'network');
    return network;
  }

  get parameterCount(): number {
    return this.model.countParams();
  }

  /**
   * Trains on every series' windows. Yields to the event loop after each batch, so a
   * service keeps answering while it trains; one batch is the longest it holds the thread.
   * An aborted signal stops it after the current batch, with the signal's reason.
   */
  async train(
    series: readonly TrainingSeries[],
    options: LstmTrainingOptions = DEFAULT_LSTM_TRAINING,
    signal?: AbortSignal,
  ): Promise<LstmTrainingReport> {
    const started = performance.now();
    const { inputs, targets } = trainingWindows(series, this.architecture, options.maxWindows);
    if (inputs.length === 0) {
      throw new RangeError(
        `no series is long enough for one window (lookback ${this.architecture.lookback} + horizon ${this.architecture.horizon})`,
      );
    }
    const random = mulberry32(options.seed);
    const optimizer = tf.train.adam(options.learningRate);
    this.model.compile({
      optimizer,
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.huberLoss(yTrue, yPred),
    });
    const allInputs = tf.tensor3d(inputs.map((i) => i.window as number[][]));
    const allLast = tf.tensor2d(inputs.map((i) => i.baselines.last));
    const allGap = tf.tensor2d(inputs.map((i) => i.baselines.gap));
    const allTargets = tf.tensor2d(targets);
    const lossByEpoch: number[] = [];
    try {
      const indices = inputs.map((_, i) => i);
      for (let epoch = 0; epoch < options.epochs; epoch += 1) {
        // Our own seeded shuffle per epoch: tfjs' built-in one uses Math.random.
        const order = tf.tensor1d(shuffled(indices, random), 'int32');
        const x = [tf.gather(allInputs, order), tf.gather(allLast, order), tf.gather(allGap, order)];
        const y = tf.gather(allTargets, order);
        try {
          const history = await this.model.fit(x, y, {
            epochs: 1,
            batchSize: options.batchSize,
            shuffle: false,
            verbose: 0,
            callbacks: {
              onBatchEnd: async () => {
                await yieldToEventLoop();
                if (signal?.aborted) this.model.stopTraining = true;
              },
            },
          });
          const loss = history.history['loss']?.[0];
          lossByEpoch.push(typeof loss === 'number' ? loss : Number.NaN);
        } finally {
          tf.dispose([order, ...x, y]);
        }
        signal?.throwIfAborted();
      }
    } finally {
      tf.dispose([allInputs, allLast, allGap, allTargets]);
      optimizer.dispose();
    }
    return {
      series: series.length,
      windows: inputs.length,
      epochs: options.epochs,
      lossByEpoch,
      trainingMs: Math.round(performance.now() - started),
      backend: tf.getBackend(),
    };
  }

  /** Scaled forecasts, one row of `horizon` loads per input (see seriesInputs and inferenceInput). */
  predict(inputs: readonly NetworkInput[]): number[][] {
    if (inputs.length === 0) return [];
    const { lookback, horizon } = this.architecture;
    for (const { window, baselines } of inputs) {
      if (window.length !== lookback || window.some((row) => row.length !== FEATURES)) {
        throw new RangeError(`each window must be ${lookback} steps of ${FEATURES} features`);
      }
      if (baselines.last.length !== horizon || baselines.gap.length !== horizon) {
        throw new RangeError(`each input needs ${horizon} baselines`);
      }
    }
    const flat = tf.tidy(() => {
      const output = this.model.predict([
        tf.tensor3d(inputs.map((i) => i.window as number[][])),
        tf.tensor2d(inputs.map((i) => i.baselines.last)),
        tf.tensor2d(inputs.map((i) => i.baselines.gap)),
      ]) as tf.Tensor;
      return output.dataSync();
    });
    return inputs.map((_, w) => Array.from({ length: horizon }, (_, h) => flat[w * horizon + h] as number));
  }

  save(): SavedLstmNetwork {
    return {
      formatVersion: 1,
      architecture: this.architecture,
      weights: saveLayerWeights(this.model),
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** A forecast's two baselines, per step: the last load, and the seasonal baseline minus it. */
export interface WindowBaselines {
  readonly last: number[];
  readonly gap: number[];
}

/** Inputs and targets from every series, scaled per series; the stride is shared so every shard contributes in proportion to its history. */
export function trainingWindows(
  series: readonly TrainingSeries[],
  architecture: LstmArchitecture,
  maxWindows: number,
): { inputs: NetworkInput[]; targets: number[][] } {
  const { lookback, horizon } = architecture;
  const usable = series.filter((s) => s.values.length >= lookback + horizon);
  const available = usable.reduce((total, s) => total + s.values.length - lookback - horizon + 1, 0);
  const stride = Math.max(1, Math.ceil(available / Math.max(1, maxWindows)));
  const inputs: NetworkInput[] = [];
  const targets: number[][] = [];
  for (const s of usable) {
    const set = seriesInputs(s.values, s.stepTimesMs, architecture, fitScaler(s.values), stride);
    inputs.push(...set.inputs);
    targets.push(...set.targets);
  }
  return { inputs, targets };
}

/**
 * Every window of a series (every `stride` steps) with its baselines and the scaled loads
 * that followed it; the last window ends `horizon` steps before the series does.
 */
export function seriesInputs(
  values: readonly number[],
  stepTimesMs: readonly number[],
  architecture: LstmArchitecture,
  scaler: SeriesScaler,
  stride = 1,
): { inputs: NetworkInput[]; targets: number[][] } {
  const set = makeWindows(values, {
    lookback: architecture.lookback,
    horizon: architecture.horizon,
    calendar: stepTimesMs,
    stride,
    scaler,
  });
  const scaled = values.map((v) => scaleValue(scaler, v));
  return {
    inputs: set.inputs.map((window, w) => ({
      window,
      baselines: baselinesAt(scaled, set.targetStarts[w] as number, architecture),
    })),
    targets: set.targets,
  };
}

/** The input for forecasting the steps after the series' end. */
export function inferenceInput(
  values: readonly number[],
  stepTimesMs: readonly number[],
  architecture: LstmArchitecture,
  scaler: SeriesScaler,
): NetworkInput {
  const scaled = values.map((v) => scaleValue(scaler, v));
  return {
    window: makeInferenceWindow(values, stepTimesMs, architecture.lookback, scaler),
    baselines: baselinesAt(scaled, values.length, architecture),
  };
}

/**
 * Baselines of a forecast whose first step is `start`: the last scaled load before it, and,
 * per step, the mean scaled load at the same phase over the `seasons` most recent seasons
 * before `start` (as many as the series holds), minus that last load; a gap of zero when the
 * series holds none.
 */
export function baselinesAt(
  scaled: readonly number[],
  start: number,
  architecture: LstmArchitecture,
): WindowBaselines {
  const { horizon, seasonLength } = architecture;
  const seasons = architecture.seasons ?? 3;
  const last = scaled[start - 1] as number;
  const gap: number[] = [];
  for (let h = 0; h < horizon; h += 1) {
    if (seasonLength === undefined) {
      gap.push(0);
      continue;
    }
    // The first season back that is already history at `start`.
    const first = Math.ceil((h + 1) / seasonLength);
    let total = 0;
    let count = 0;
    for (let k = first; k < first + seasons; k += 1) {
      const index = start + h - k * seasonLength;
      if (index < 0) break;
      total += scaled[index] as number;
      count += 1;
    }
    gap.push(count > 0 ? total / count - last : 0);
  }
  return { last: new Array<number>(horizon).fill(last), gap };
}

function buildModel(architecture: LstmArchitecture, seed: number): tf.LayersModel {
  const { lookback, horizon, units } = architecture;
  const window = tf.input({ shape: [lookback, FEATURES], name: 'window' });
  const last = tf.input({ shape: [horizon], name: 'last' });
  const gap = tf.input({ shape: [horizon], name: 'seasonalGap' });
  const state = tf.layers
    .lstm({
      units,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      // Glorot rather than tfjs' orthogonal default: same quality at this size, without an
      // expensive QR decomposition and a console warning on every build.
      recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    })
    .apply(window) as tf.SymbolicTensor;
  // Gate and correction read the LSTM's state and the seasonal gap itself: a seasonal
  // baseline far from the current level (a hotspot that arrived or left within the last
  // days) is visible to them, not only what the window shows.
  const features = tf.layers.concatenate().apply([state, gap]) as tf.SymbolicTensor;
  // The untrained network forecasts the seasonal baseline (gate ≈ 0.95) with no correction:
  // training starts from a good forecast and learns where persistence does better.
  const gate = tf.layers
    .dense({
      units: horizon,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
      biasInitializer: tf.initializers.constant({ value: 3 }),
    })
    .apply(features) as tf.SymbolicTensor;
  const correction = tf.layers
    .dense({ units: horizon, kernelInitializer: 'zeros' })
    .apply(features) as tf.SymbolicTensor;
  const leaning = tf.layers.multiply().apply([gate, gap]) as tf.SymbolicTensor;
  const output = tf.layers.add().apply([last, leaning, correction]) as tf.SymbolicTensor;
  return tf.model({ inputs: [window, last, gap], outputs: output });
}

function assertArchitecture(a: LstmArchitecture): void {
  for (const [name, value] of Object.entries(a)) {
    if ((name === 'seasonLength' || name === 'seasons') && value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 1)
      throw new RangeError(`${name} must be a positive integer`);
  }
}
