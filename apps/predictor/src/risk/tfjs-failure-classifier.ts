import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffled } from '../forecasting/domain/index.js';
import type { SavedWeight } from '../forecasting/lstm/tfjs-weights.js';
import { loadLayerWeights, saveLayerWeights, yieldToEventLoop } from '../forecasting/lstm/tfjs-weights.js';
import type {
  Calibration,
  FailureCalibrationOptions,
  FailureClassifier,
  FailureExample,
  FailureHoldout,
  FailureLearner,
  FailureScorer,
  HealthFeatureOptions,
} from './domain/index.js';
import {
  calibrate,
  fitFeatureScaling,
  HEALTH_FEATURE_NAMES,
  standardiseFeatures,
  trainCalibratedFailureScorer,
} from './domain/index.js';

/** A one-unit sigmoid layer is logistic regression; the MLP adds one ReLU hidden layer before it. */
export type FailureNetworkArchitecture =
  { readonly kind: 'logistic' } | { readonly kind: 'mlp'; readonly hidden: number };

export interface FailureNetworkTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /**
   * Penalty on the kernels (not the biases) added to the mean log loss as l2·‖w‖²; half the
   * plain regression's `l2` gives the same objective, whose penalty is (l2/2)·‖w‖².
   */
  readonly l2: number;
  /** Seeds the weights and the shuffles, so a retrain on the same data is reproducible. */
  readonly seed: number;
}

/**
 * Enough epochs for Adam to settle on standardised health features (the loss flattens well
 * before 30 on fleets of a few thousand examples); large batches because one example is a
 * couple of dozen numbers and tfjs' cost is per batch, not per example.
 */
export const DEFAULT_FAILURE_NETWORK_TRAINING: FailureNetworkTraining = {
  epochs: 20,
  batchSize: 512,
  learningRate: 0.03,
  l2: 0.005,
  seed: 1,
};

/** The network as JSON: its standardisation, architecture and weights, stored with its model version. */
export interface SavedFailureNetwork {
  readonly formatVersion: 1;
  readonly architecture: FailureNetworkArchitecture;
  readonly featureNames: readonly string[];
  readonly means: readonly number[];
  readonly scales: readonly number[];
  readonly weights: readonly SavedWeight[];
}

/**
 * A failure classifier in TensorFlow.js on the domain's health features, standardised the
 * way the plain regression standardises them (the means and scales of its training examples).
 * Its outputs are raw probabilities: calibration happens outside, on held-out nodes.
 */
export class FailureNetwork implements FailureScorer {
  private constructor(
    readonly architecture: FailureNetworkArchitecture,
    private readonly means: readonly number[],
    private readonly scales: readonly number[],
    private readonly model: tf.LayersModel,
    /** Mean training loss (log loss + penalty) after each epoch; empty for a loaded network. */
    readonly lossByEpoch: readonly number[] = [],
  ) {}

  /**
   * Trains a new network on the examples with Adam, mini-batches in a seeded order, yielding
   * to the event loop after every batch: one batch is the longest it holds the thread. An
   * aborted signal stops it after the current batch, with the signal's reason.
   */
  static async train(
    examples: readonly FailureExample[],
    architecture: FailureNetworkArchitecture,
    options: FailureNetworkTraining = DEFAULT_FAILURE_NETWORK_TRAINING,
    signal?: AbortSignal,
  ): Promise<FailureNetwork> {
    if (examples.length === 0) throw new RangeError('need at least one example');
    const d = HEALTH_FEATURE_NAMES.length;
    if (examples.some((e) => e.features.length !== d)) {
      throw new RangeError(`every example needs ${d} features`);
    }
    const { means, scales } = fitFeatureScaling(
      examples.map((e) => e.features),
      d,
    );
    const positives = examples.filter((e) => e.label === 1).length;
    // The output bias starts at the base rate's log-odds, as the plain regression's does:
    // with rare failures that is most of the way to the optimum from the first batch.
    const baseLogOdds = Math.log((positives + 0.5) / (examples.length - positives + 0.5));
    const model = buildModel(architecture, d, options, baseLogOdds);
    try {
      const lossByEpoch = await fitNetwork(model, means, scales, examples, options, signal);
      return new FailureNetwork(architecture, means, scales, model, lossByEpoch);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  static load(saved: SavedFailureNetwork): FailureNetwork {
    if (saved.formatVersion !== 1) {
      throw new Error(`unknown failure network format ${String(saved.formatVersion)}`);
    }
    const d = HEALTH_FEATURE_NAMES.length;
    if (
      saved.featureNames.length !== d ||
      saved.featureNames.some((name, j) => name !== HEALTH_FEATURE_NAMES[j])
    ) {
      throw new Error('the saved failure network reads other health features than this version computes');
    }
    const model = buildModel(saved.architecture, d, DEFAULT_FAILURE_NETWORK_TRAINING, 0);
    try {
      loadLayerWeights(model, saved.weights, 'failure network');
    } catch (error) {
      model.dispose();
      throw error;
    }
    return new FailureNetwork(saved.architecture, saved.means, saved.scales, model);
  }

  get parameterCount(): number {
    return this.model.countParams();
  }

  rawProbabilities(rows: readonly (readonly number[])[]): number[] {
    if (rows.length === 0) return [];
    const d = this.means.length;
    if (rows.some((row) => row.length !== d)) throw new RangeError(`expected ${d} features per row`);
    const x = rows.map((row) => standardiseFeatures(row, this.means, this.scales));
    const output = tf.tidy(() => (this.model.predict(tf.tensor2d(x, [x.length, d])) as tf.Tensor).dataSync());
    return Array.from(output);
  }

  save(): SavedFailureNetwork {
    return {
      formatVersion: 1,
      architecture: this.architecture,
      featureNames: [...HEALTH_FEATURE_NAMES],
      means: [...this.means],
      scales: [...this.scales],
      weights: saveLayerWeights(this.model),
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Adam on the mean log loss plus the kernels' penalty, in a seeded order, yielding after every
 * batch. A plain optimizer loop rather than model.fit: fit's per-batch bookkeeping costs far
 * more than a batch of a network this small, and made training several times slower.
 */
async function fitNetwork(
  model: tf.LayersModel,
  means: readonly number[],
  scales: readonly number[],
  examples: readonly FailureExample[],
  options: FailureNetworkTraining,
  signal: AbortSignal | undefined,
): Promise<number[]> {
  const d = means.length;
  const n = examples.length;
  const random = mulberry32(options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v) => v.name.includes('kernel'));
  const x = tf.tensor2d(
    examples.map((e) => standardiseFeatures(e.features, means, scales)),
    [n, d],
  );
  const y = tf.tensor2d(
    examples.map((e) => [e.label]),
    [n, 1],
  );
  const lossByEpoch: number[] = [];
  try {
    const indices = examples.map((_, i) => i);
    for (let epoch = 0; epoch < options.epochs; epoch += 1) {
      // Our own seeded shuffle per epoch: tfjs' built-in one uses Math.random.
      const order = shuffled(indices, random);
      let lossSum = 0;
      for (let start = 0; start < n; start += options.batchSize) {
        const batch = order.slice(start, start + options.batchSize);
        const loss = tf.tidy(() => {
          const rows = tf.tensor1d(batch, 'int32');
          const xb = tf.gather(x, rows);
          const yb = tf.gather(y, rows);
          return optimizer.minimize(
            () => {
              const predicted = model.apply(xb, { training: true }) as tf.Tensor;
              const logLoss = tf.losses.logLoss(yb, predicted, undefined, 1e-7);
              const penalty = kernels.reduce<tf.Scalar>(
                (acc, k) => acc.add(k.square().sum().mul(options.l2)),
                tf.scalar(0),
              );
              return logLoss.add<tf.Scalar>(penalty);
            },
            true,
            variables,
          ) as tf.Scalar;
        });
        lossSum += (await loss.data())[0]! * batch.length;
        loss.dispose();
        await yieldToEventLoop();
        signal?.throwIfAborted();
      }
      lossByEpoch.push(lossSum / n);
    }
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
  }
  return lossByEpoch;
}

function buildModel(
  architecture: FailureNetworkArchitecture,
  features: number,
  options: FailureNetworkTraining,
  baseLogOdds: number,
): tf.LayersModel {
  const regularizer = options.l2 > 0 ? tf.regularizers.l2({ l2: options.l2 }) : undefined;
  const input = tf.input({ shape: [features], name: 'healthFeatures' });
  let hidden: tf.SymbolicTensor = input;
  switch (architecture.kind) {
    case 'logistic':
      break;
    case 'mlp':
      if (!Number.isInteger(architecture.hidden) || architecture.hidden < 1) {
        throw new RangeError('hidden must be a positive integer');
      }
      hidden = tf.layers
        .dense({
          units: architecture.hidden,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: options.seed }),
          kernelRegularizer: regularizer,
        })
        .apply(hidden) as tf.SymbolicTensor;
      break;
    default: {
      const unknown: never = architecture;
      throw new Error(`unknown failure network ${JSON.stringify(unknown)}`);
    }
  }
  const output = tf.layers
    .dense({
      units: 1,
      activation: 'sigmoid',
      // Logistic regression starts from zero weights as the plain one does; an MLP's output
      // layer needs random ones, or every hidden unit would get the same gradient.
      kernelInitializer:
        architecture.kind === 'logistic'
          ? 'zeros'
          : tf.initializers.glorotUniform({ seed: options.seed + 1 }),
      biasInitializer: tf.initializers.constant({ value: baseLogOdds }),
      kernelRegularizer: regularizer,
    })
    .apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** FailureNetwork as a learner for the domain's split-calibrate-measure procedure. */
export function failureNetworkLearner(
  architecture: FailureNetworkArchitecture,
  options: FailureNetworkTraining = DEFAULT_FAILURE_NETWORK_TRAINING,
  signal?: AbortSignal,
): FailureLearner<FailureNetwork> {
  return {
    fit: (subset) => FailureNetwork.train(subset, architecture, options, signal),
    release: (network) => network.dispose(),
  };
}

/** A calibrated tfjs failure classifier as stored with its model version. */
export interface TfjsFailureRiskModel {
  readonly kind: 'tfjs';
  readonly formatVersion: 1;
  /** What node-risk events name it: `failure-tfjs-logistic` or `failure-tfjs-mlp`. */
  readonly name: string;
  readonly horizonMs: number;
  readonly features: HealthFeatureOptions;
  readonly network: SavedFailureNetwork;
  readonly calibration: Calibration;
}

export interface TrainTfjsFailureRiskOptions extends FailureCalibrationOptions {
  readonly name: string;
  readonly horizonMs: number;
  readonly features?: HealthFeatureOptions;
  readonly architecture: FailureNetworkArchitecture;
  readonly training?: FailureNetworkTraining;
  readonly signal?: AbortSignal;
}

export interface TfjsFailureRiskTraining {
  readonly model: TfjsFailureRiskModel;
  readonly holdout: FailureHoldout;
  readonly parameters: number;
  /** The served network's training loss per epoch. */
  readonly lossByEpoch: readonly number[];
}

/**
 * Trains, calibrates and measures a tfjs classifier exactly as trainFailureRiskModel does the
 * plain regression (same node splits for the same `random`, same calibration, same held-out
 * metrics), and returns it saved: the served copy is loaded from storage like any other.
 */
export async function trainTfjsFailureRiskModel(
  examples: readonly FailureExample[],
  options: TrainTfjsFailureRiskOptions,
): Promise<TfjsFailureRiskTraining> {
  const trained = await trainCalibratedFailureScorer(
    examples,
    failureNetworkLearner(options.architecture, options.training, options.signal),
    options,
  );
  try {
    return {
      model: {
        kind: 'tfjs',
        formatVersion: 1,
        name: options.name,
        horizonMs: options.horizonMs,
        features: options.features ?? {},
        network: trained.scorer.save(),
        calibration: trained.calibration,
      },
      holdout: trained.holdout,
      parameters: trained.scorer.parameterCount,
      lossByEpoch: trained.scorer.lossByEpoch,
    };
  } finally {
    trained.scorer.dispose();
  }
}

/** A stored tfjs classifier, loaded to serve; dispose it when its version retires. */
export class TfjsFailureClassifier implements FailureClassifier {
  readonly name: string;
  readonly horizonMs: number;
  readonly features: HealthFeatureOptions;

  private constructor(
    model: TfjsFailureRiskModel,
    private readonly network: FailureNetwork,
    private readonly calibration: Calibration,
  ) {
    this.name = model.name;
    this.horizonMs = model.horizonMs;
    this.features = model.features;
  }

  static load(model: TfjsFailureRiskModel): TfjsFailureClassifier {
    if (model.formatVersion !== 1) {
      throw new Error(`unknown tfjs failure model format ${String(model.formatVersion)}`);
    }
    return new TfjsFailureClassifier(model, FailureNetwork.load(model.network), model.calibration);
  }

  probabilities(rows: readonly (readonly number[])[]): number[] {
    return this.network.rawProbabilities(rows).map((p) => calibrate(this.calibration, p));
  }

  dispose(): void {
    this.network.dispose();
  }
}
