/**
 * Forecast bench: every model's out-of-sample accuracy and cost on workloads the predictor
 * will meet. Run it with `node bench/forecast/forecast-bench.mjs [--trace path] [...]`
 * (see --help); apps/predictor/README.md records its figures.
 *
 * Protocol, per workload:
 * - the last `evalFolds × horizon` steps are the evaluation window: rolling origins every
 *   `horizon` steps, each model refitted on everything before its origin;
 * - the serving choice is made per shard exactly as the service makes it (lowest backtest
 *   MASE, ties to the better band) but on the `selectionFolds` origins just BEFORE the
 *   evaluation window, so the choice is scored on data it never saw;
 * - the global LSTM is trained across shards on data before the first origin it is scored
 *   on (once for selection, once for evaluation), never on its test windows.
 * Scores are means over shards of each shard's metric (MASE is scale-free per shard).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BacktestResult,
  ForecastContext,
  ForecastMetrics,
  ForecastModel,
} from '../../apps/predictor/src/forecasting/domain/index.js';
import {
  averageMetrics,
  backtest,
  chooseServingModel,
  generateShiftingHotspotLoad,
  mean,
  seasonLengthsFor,
} from '../../apps/predictor/src/forecasting/domain/index.js';
import {
  createForecastModel,
  FORECAST_MODEL_NAMES,
} from '../../apps/predictor/src/forecasting/forecast-model.catalog.js';
import type {
  LstmArchitecture,
  LstmTrainingOptions,
} from '../../apps/predictor/src/forecasting/lstm/lstm-network.js';
import { GlobalLstmNetwork } from '../../apps/predictor/src/forecasting/lstm/lstm-network.js';
import type { TfjsBackendName } from '../../apps/predictor/src/forecasting/lstm/tfjs-backend.js';
import {
  activateTfjsBackend,
  TFJS_BACKENDS,
} from '../../apps/predictor/src/forecasting/lstm/tfjs-backend.js';
import type { Workload } from './trace-reader.js';
import { readTrace } from './trace-reader.js';

const HOUR_MS = 3_600_000;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = join(repoRoot, '..', 'shared', 'data', 'wikipedia-2016-01');

interface BenchOptions {
  traces: string[];
  synthetic: boolean;
  shards: number;
  horizon: number;
  evalFolds: number;
  selectionFolds: number;
  backends: TfjsBackendName[];
  architecture: Omit<LstmArchitecture, 'horizon'>;
  training: LstmTrainingOptions;
  json: string | undefined;
  verbose: boolean;
}

const USAGE = `usage: node bench/forecast/forecast-bench.mjs [options]
  --trace PATH          a trace in a documented format (repeatable); default: the two
                        Wikipedia January 2016 traces in ../shared/data/wikipedia-2016-01
  --no-synthetic        skip the synthetic shifting-hotspot workload
  --shards N            shards a per-key trace is hashed into (default 16)
  --horizon H           steps forecast from each origin (default 12)
  --eval-folds N        origins scored (default 4)
  --selection-folds N   origins the serving choice is made on, before those (default 8)
  --backends LIST       tfjs backends to time, comma-separated (default tensorflow,wasm,cpu;
                        the first that starts scores the LSTM, the others are timed too)
  --lookback N --units N --epochs N --max-windows N --batch-size N   LSTM settings
  --json PATH           also write the results as JSON
  --verbose             also print every shard's selection and evaluation MASE per model`;

function parseArguments(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    traces: [],
    synthetic: true,
    shards: 16,
    horizon: 12,
    evalFolds: 4,
    selectionFolds: 8,
    backends: [...TFJS_BACKENDS],
    architecture: { lookback: 48, units: 32 },
    training: { epochs: 8, batchSize: 64, learningRate: 0.005, maxWindows: 2048, seed: 1 },
    json: undefined,
    verbose: false,
  };
  const integer = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${flag} needs a positive integer, got ${String(value)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[(i += 1)];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--trace':
        options.traces.push(resolve(value()));
        break;
      case '--no-synthetic':
        options.synthetic = false;
        break;
      case '--shards':
        options.shards = integer(flag, value());
        break;
      case '--horizon':
        options.horizon = integer(flag, value());
        break;
      case '--eval-folds':
        options.evalFolds = integer(flag, value());
        break;
      case '--selection-folds':
        options.selectionFolds = integer(flag, value());
        break;
      case '--backends':
        options.backends = value()
          .split(',')
          .map((b) => {
            if (!(TFJS_BACKENDS as readonly string[]).includes(b)) throw new Error(`unknown backend ${b}`);
            return b as TfjsBackendName;
          });
        break;
      case '--lookback':
        options.architecture = { ...options.architecture, lookback: integer(flag, value()) };
        break;
      case '--units':
        options.architecture = { ...options.architecture, units: integer(flag, value()) };
        break;
      case '--epochs':
        options.training = { ...options.training, epochs: integer(flag, value()) };
        break;
      case '--max-windows':
        options.training = { ...options.training, maxWindows: integer(flag, value()) };
        break;
      case '--batch-size':
        options.training = { ...options.training, batchSize: integer(flag, value()) };
        break;
      case '--json':
        options.json = resolve(value());
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  if (options.traces.length === 0) {
    for (const file of ['hourly-totals.csv', 'page-hour-requests.csv.gz']) {
      const path = join(dataDir, file);
      if (!existsSync(path))
        throw new Error(
          `${path} is missing: pass --trace PATH, or place the shared data beside the repository`,
        );
      options.traces.push(path);
    }
  }
  return options;
}

/** Accumulates the time models spend fitting and forecasting. */
class Stopwatch {
  calls = 0;
  totalMs = 0;
  wrap(model: ForecastModel): ForecastModel {
    const watch = (run: () => void): void => {
      const started = performance.now();
      run();
      this.totalMs += performance.now() - started;
    };
    return {
      name: model.name,
      fit: (series, context) => {
        this.calls += 1;
        watch(() => model.fit(series, context));
      },
      forecast: (horizon) => {
        let out: ReturnType<ForecastModel['forecast']> = [];
        watch(() => {
          out = model.forecast(horizon);
        });
        return out;
      },
      exportState: () => model.exportState(),
      importState: (state) => model.importState(state),
    };
  }
  get perCallMs(): number {
    return this.calls === 0 ? Number.NaN : this.totalMs / this.calls;
  }
}

interface ModelScore {
  model: string;
  backend: string;
  metrics: ForecastMetrics;
  /** Mean fit + forecast time per shard and origin. */
  inferMsPerShard: number;
  /** Training time of the global network divided by the shards it was trained on. */
  trainMsPerShard: number | null;
}

interface WorkloadResult {
  workload: string;
  description: string;
  shards: number;
  steps: number;
  horizon: number;
  scores: ModelScore[];
  serving: { metrics: ForecastMetrics; chosen: Record<string, number>; maseVsSeasonalNaive: number };
  shardsWhereServingBeatsSeasonalNaive: number;
}

async function benchWorkload(
  workload: Workload,
  options: BenchOptions,
  backends: TfjsBackendName[],
): Promise<WorkloadResult> {
  const { horizon, evalFolds, selectionFolds } = options;
  const length = Math.min(...workload.series.map((s) => s.length));
  const evalStart = length - evalFolds * horizon;
  const selectionStart = evalStart - selectionFolds * horizon;
  if (selectionStart < 2 * 24)
    throw new RangeError(`${workload.name}: ${length} steps are too few for these folds`);
  const context: ForecastContext = {
    intervalMs: workload.intervalMs,
    startMs: workload.startMs,
    seasonLengths: seasonLengthsFor(workload.intervalMs),
  };
  const series = workload.series.map((s) => s.slice(0, length));
  const evaluation = { folds: evalFolds, horizon, minTrain: evalStart };
  const selection = { folds: selectionFolds, horizon, minTrain: selectionStart };

  // Per shard: each model's selection backtest and evaluation backtest.
  const selectionResults: BacktestResult[][] = series.map(() => []);
  const evaluationResults = series.map(() => new Map<string, BacktestResult>());
  const scores: ModelScore[] = [];

  for (const name of FORECAST_MODEL_NAMES.filter((n) => n !== 'lstm')) {
    const watch = new Stopwatch();
    const factory = (): ForecastModel => watch.wrap(createForecastModel(name));
    series.forEach((s, i) => {
      (selectionResults[i] as BacktestResult[]).push(
        backtest(s.slice(0, evalStart), factory, selection, context),
      );
      (evaluationResults[i] as Map<string, BacktestResult>).set(
        name,
        backtest(s, factory, evaluation, context),
      );
    });
    scores.push({
      model: name,
      backend: 'js',
      metrics: averageMetrics(
        series.map((_, i) => evaluationResults[i]?.get(name)?.metrics as ForecastMetrics),
      ),
      inferMsPerShard: watch.perCallMs,
      trainMsPerShard: null,
    });
  }

  for (const [b, backend] of backends.entries()) {
    await activateTfjsBackend(backend);
    const daily = context.seasonLengths[0];
    const architecture = {
      ...options.architecture,
      horizon,
      ...(daily !== undefined ? { seasonLength: daily } : {}),
    };
    const train = async (end: number): Promise<{ network: GlobalLstmNetwork; ms: number }> => {
      const network = GlobalLstmNetwork.create(architecture, options.training.seed);
      const report = await network.train(
        series.map((s) => ({
          values: s.slice(0, end),
          stepTimesMs: s.slice(0, end).map((_, t) => workload.startMs + t * workload.intervalMs),
        })),
        options.training,
      );
      return { network, ms: report.trainingMs };
    };
    const primary = b === 0;
    if (primary) {
      const forSelection = await train(selectionStart);
      series.forEach((s, i) => {
        const factory = (): ForecastModel => createForecastModel('lstm', { network: forSelection.network });
        (selectionResults[i] as BacktestResult[]).push(
          backtest(s.slice(0, evalStart), factory, selection, context),
        );
      });
      forSelection.network.dispose();
    }
    const forEvaluation = await train(evalStart);
    const watch = new Stopwatch();
    const perShard = series.map((s) =>
      backtest(
        s,
        () => watch.wrap(createForecastModel('lstm', { network: forEvaluation.network })),
        evaluation,
        context,
      ),
    );
    forEvaluation.network.dispose();
    if (primary)
      perShard.forEach((result, i) =>
        (evaluationResults[i] as Map<string, BacktestResult>).set('lstm', result),
      );
    scores.push({
      model: 'lstm',
      backend,
      metrics: averageMetrics(perShard.map((r) => r.metrics)),
      inferMsPerShard: watch.perCallMs,
      trainMsPerShard: forEvaluation.ms / series.length,
    });
  }

  if (options.verbose) {
    series.forEach((_, i) => {
      const picked = chooseServingModel(selectionResults[i] as BacktestResult[]).model;
      const cells = (selectionResults[i] as BacktestResult[]).map(
        (r) =>
          `${r.model} ${r.metrics.mase.toFixed(2)}/${evaluationResults[i]?.get(r.model)?.metrics.mase.toFixed(2) ?? '-'}`,
      );
      process.stdout.write(
        `   ${workload.shardIds[i] ?? i}: selection/evaluation MASE ${cells.join(', ')} → ${picked}\n`,
      );
    });
  }
  const chosen: Record<string, number> = {};
  const servingMetrics = series.map((_, i) => {
    const choice = chooseServingModel(selectionResults[i] as BacktestResult[]);
    chosen[choice.model] = (chosen[choice.model] ?? 0) + 1;
    return evaluationResults[i]?.get(choice.model)?.metrics as ForecastMetrics;
  });
  const serving = averageMetrics(servingMetrics);
  const seasonalNaive = series.map(
    (_, i) => evaluationResults[i]?.get('seasonal-naive')?.metrics.mase as number,
  );
  return {
    workload: workload.name,
    description: workload.description,
    shards: series.length,
    steps: length,
    horizon,
    scores,
    serving: { metrics: serving, chosen, maseVsSeasonalNaive: serving.mase / mean(seasonalNaive) },
    shardsWhereServingBeatsSeasonalNaive: servingMetrics.filter(
      (m, i) => m.mase <= (seasonalNaive[i] as number),
    ).length,
  };
}

function syntheticWorkload(): Workload {
  const startMs = Date.UTC(2024, 0, 1);
  const load = generateShiftingHotspotLoad({
    shards: 16,
    length: 5 * 7 * 24,
    intervalMs: HOUR_MS,
    startMs,
    seed: 7,
    baseLoad: 1000,
  });
  return {
    name: 'synthetic shifting hotspot',
    description: `16 shards × 5 weeks hourly: daily cycle, weekends, 8 % noise, 2 hotspots (×4 at peak) moving every 36–96 h`,
    intervalMs: HOUR_MS,
    startMs,
    shardIds: load.series.map((_, i) => `shard-${String(i).padStart(3, '0')}`),
    series: load.series,
  };
}

function print(result: WorkloadResult, target: { ratio: number; label: string }): void {
  const out: string[] = [];
  const f = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
  out.push('');
  out.push(`== ${result.workload}: ${result.description}`);
  out.push(
    `   ${result.shards} shard(s) × ${result.steps} steps, horizon ${result.horizon}; means over shards of out-of-sample metrics`,
  );
  out.push(
    '   model            backend  MASE    sMAPE%  coverage(p10-p90)  pinball  infer ms/shard  train ms/shard',
  );
  for (const s of result.scores) {
    out.push(
      `   ${s.model.padEnd(16)} ${s.backend.padEnd(8)} ${f(s.metrics.mase).padStart(6)}  ${f(s.metrics.smape, 2).padStart(6)}  ${f(s.metrics.coverage, 2).padStart(17)}  ${f(s.metrics.pinball.mean, 1).padStart(7)}  ${f(s.inferMsPerShard, 2).padStart(14)}  ${s.trainMsPerShard === null ? '-'.padStart(14) : f(s.trainMsPerShard, 0).padStart(14)}`,
    );
  }
  const m = result.serving.metrics;
  out.push(
    `   ${'serving choice'.padEnd(16)} ${''.padEnd(8)} ${f(m.mase).padStart(6)}  ${f(m.smape, 2).padStart(6)}  ${f(m.coverage, 2).padStart(17)}  ${f(m.pinball.mean, 1).padStart(7)}   chosen: ${Object.entries(
      result.serving.chosen,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  const change = (result.serving.maseVsSeasonalNaive - 1) * 100;
  const met = result.serving.maseVsSeasonalNaive <= target.ratio;
  out.push(
    `   serving MASE vs seasonal-naive: ${change >= 0 ? '+' : ''}${change.toFixed(1)} % (target ${target.label}: ${met ? 'met' : 'MISSED'}); serving ≤ seasonal-naive on ${result.shardsWhereServingBeatsSeasonalNaive}/${result.shards} shards`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const backends: TfjsBackendName[] = [];
  for (const backend of options.backends) {
    try {
      await activateTfjsBackend(backend);
      backends.push(backend);
    } catch (error) {
      process.stdout.write(
        `tfjs backend ${backend}: unavailable (${(error as Error).message.split('\n')[0]})\n`,
      );
    }
  }
  if (backends.length === 0) throw new Error('no tfjs backend could start');
  process.stdout.write(
    `forecast bench: horizon ${options.horizon}, ${options.selectionFolds} selection + ${options.evalFolds} evaluation origins; LSTM lookback ${options.architecture.lookback}, ${options.architecture.units} units, ${options.training.epochs} epochs, ≤ ${options.training.maxWindows} windows; backends ${backends.join(', ')} (${backends[0]} scores the LSTM)\n`,
  );
  const results: WorkloadResult[] = [];
  if (options.synthetic) {
    const result = await benchWorkload(syntheticWorkload(), options, backends);
    print(result, { ratio: 0.8, label: '≤ −20 %' });
    results.push(result);
  }
  for (const trace of options.traces) {
    const started = performance.now();
    const workload = await readTrace(trace, { shards: options.shards });
    process.stdout.write(`\n(read ${trace} in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    const result = await benchWorkload(workload, options, backends);
    print(result, { ratio: 1, label: '≤ 0 %' });
    results.push(result);
  }
  if (options.json) await writeFile(options.json, `${JSON.stringify({ options, results }, null, 2)}\n`);
}

await main();
