import { mulberry32 } from '../forecasting/domain/index.js';
import type {
  FailureCalibrationOptions,
  FailureCandidate,
  FailureClassifierChoice,
  FailureClassifier,
  FailureExample,
  FailureHoldout,
  FailureRiskModel,
} from './domain/index.js';
import {
  chooseFailureClassifier,
  LOGISTIC_FAILURE_CLASSIFIER,
  logisticFailureClassifier,
  trainFailureRiskModel,
} from './domain/index.js';
import type { FailureNetworkArchitecture, TfjsFailureRiskModel } from './tfjs-failure-classifier.js';
import {
  DEFAULT_FAILURE_NETWORK_TRAINING,
  TfjsFailureClassifier,
  trainTfjsFailureRiskModel,
} from './tfjs-failure-classifier.js';

/** The tfjs classifiers: the name node-risk events give each, and its network. */
export const TFJS_FAILURE_CLASSIFIERS: Readonly<
  Record<'tfjs-logistic' | 'tfjs-mlp', { name: string; architecture: FailureNetworkArchitecture }>
> = {
  'tfjs-logistic': { name: 'failure-tfjs-logistic', architecture: { kind: 'logistic' } },
  'tfjs-mlp': { name: 'failure-tfjs-mlp', architecture: { kind: 'mlp', hidden: 16 } },
};

/** What a model version stores as its failure classifier; rows from before tfjs have no `kind`. */
export type StoredFailureModel = FailureRiskModel | TfjsFailureRiskModel;

/** A classifier loaded to serve; dispose it when its version retires. */
export interface ServedFailureClassifier extends FailureClassifier {
  dispose(): void;
}

export interface TrainFailureClassifierOptions {
  readonly choice: FailureClassifierChoice;
  readonly horizonMs: number;
  readonly validation: NonNullable<FailureCalibrationOptions['validation']>;
  /** Seeds the node splits (every candidate gets the same ones) and the networks. */
  readonly seed: number;
  /** Without a TensorFlow.js backend only the plain regression can train. */
  readonly tfjsAvailable: boolean;
  readonly signal?: AbortSignal;
}

/** A candidate's outcome, as the model version's report shows it. */
export type CandidateReport =
  | { readonly holdout: FailureHoldout; readonly trainingMs: number; readonly parameters: number }
  | { readonly skipped: string };

export interface TrainedFailureClassifier {
  readonly model: StoredFailureModel;
  /** The served classifier's name and held-out figures, every candidate's, and why it was chosen. */
  readonly report: {
    readonly classifier: string;
    readonly choice: FailureClassifierChoice;
    readonly reason: string;
    readonly holdout: FailureHoldout;
    readonly candidates: Record<string, CandidateReport>;
  };
}

/**
 * Trains the classifier(s) the choice asks for on the same node splits, each calibrated and
 * measured on held-out nodes, and picks the one to serve. Errors that mean "not enough
 * failures" (RangeError) propagate for the caller to report as a skip.
 */
export async function trainFailureClassifier(
  examples: readonly FailureExample[],
  options: TrainFailureClassifierOptions,
): Promise<TrainedFailureClassifier> {
  const common = { horizonMs: options.horizonMs, validation: options.validation };
  const candidates: Record<string, CandidateReport> = {};
  const models = new Map<string, { model: StoredFailureModel; holdout: FailureHoldout }>();

  const wantsPlain = options.choice === 'auto' || options.choice === 'logistic';
  const tfjsKinds = (['tfjs-logistic', 'tfjs-mlp'] as const).filter(
    (kind) => options.choice === 'auto' || options.choice === kind,
  );
  // The plain regression is the fallback of every choice: a tfjs choice without a backend serves it.
  if (wantsPlain || !options.tfjsAvailable) {
    const started = performance.now();
    const plain = trainFailureRiskModel(examples, { ...common, random: mulberry32(options.seed) });
    models.set(LOGISTIC_FAILURE_CLASSIFIER, plain);
    candidates[LOGISTIC_FAILURE_CLASSIFIER] = {
      holdout: plain.holdout,
      trainingMs: Math.round(performance.now() - started),
      parameters: plain.model.regression.weights.length + 1,
    };
  }
  for (const kind of tfjsKinds) {
    const { name, architecture } = TFJS_FAILURE_CLASSIFIERS[kind];
    if (!options.tfjsAvailable) {
      candidates[name] = { skipped: 'no TensorFlow.js backend' };
      continue;
    }
    const started = performance.now();
    const trained = await trainTfjsFailureRiskModel(examples, {
      ...common,
      name,
      architecture,
      random: mulberry32(options.seed),
      training: { ...DEFAULT_FAILURE_NETWORK_TRAINING, seed: options.seed },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    models.set(name, trained);
    candidates[name] = {
      holdout: trained.holdout,
      trainingMs: Math.round(performance.now() - started),
      parameters: trained.parameters,
    };
  }

  const { chosen, reason } = choose(options.choice, models);
  const served = models.get(chosen) as { model: StoredFailureModel; holdout: FailureHoldout };
  return {
    model: served.model,
    report: { classifier: chosen, choice: options.choice, reason, holdout: served.holdout, candidates },
  };
}

function choose(
  choice: FailureClassifierChoice,
  models: ReadonlyMap<string, { holdout: FailureHoldout }>,
): { chosen: string; reason: string } {
  const plain = models.get(LOGISTIC_FAILURE_CLASSIFIER);
  const tfjs: FailureCandidate[] = [...models]
    .filter(([name]) => name !== LOGISTIC_FAILURE_CLASSIFIER)
    .map(([name, m]) => ({ name, holdout: m.holdout }));
  if (!plain) {
    const only = tfjs[0] as FailureCandidate;
    return { chosen: only.name, reason: `configured: ${choice}` };
  }
  if (tfjs.length === 0) {
    return {
      chosen: LOGISTIC_FAILURE_CLASSIFIER,
      reason:
        choice === 'logistic'
          ? 'configured: logistic'
          : 'no TensorFlow.js backend: the plain regression serves',
    };
  }
  const chosen = chooseFailureClassifier({ name: LOGISTIC_FAILURE_CLASSIFIER, holdout: plain.holdout }, tfjs);
  return {
    chosen: chosen.name,
    reason:
      chosen.name === LOGISTIC_FAILURE_CLASSIFIER
        ? 'every tfjs classifier had a worse held-out Brier score than the plain regression'
        : 'the best tfjs classifier by held-out Brier score is at least as good as the plain regression',
  };
}

/**
 * A stored classifier ready to serve, or why it cannot: a tfjs one needs a backend (its
 * version then scores with the early-warning score until a retrain serves the plain one).
 */
export function loadFailureClassifier(
  stored: StoredFailureModel,
  tfjsAvailable: boolean,
): ServedFailureClassifier | { unavailable: string } {
  if (!('kind' in stored)) return { ...logisticFailureClassifier(stored), dispose: () => undefined };
  if (!tfjsAvailable) return { unavailable: `${stored.name} needs a TensorFlow.js backend` };
  return TfjsFailureClassifier.load(stored);
}
