import type { ForecastModel, HoltWintersParameters } from './domain/index.js';
import { HoltWintersModel, NaiveModel, SeasonalNaiveModel } from './domain/index.js';
import { LstmForecastModel } from './lstm/lstm-forecast.model.js';
import type { GlobalLstmNetwork } from './lstm/lstm-network.js';

/** Every model the predictor can serve, cheapest first (a backtest tie goes to the earlier one). */
export const FORECAST_MODEL_NAMES = ['naive', 'seasonal-naive', 'holt-winters', 'lstm'] as const;
export type ForecastModelName = (typeof FORECAST_MODEL_NAMES)[number];

/** Models a shard falls back to, in order, while no backtest has chosen for it (or its choice cannot fit yet). */
export const FALLBACK_MODELS: readonly ForecastModelName[] = ['holt-winters', 'seasonal-naive', 'naive'];

export function isForecastModelName(name: string): name is ForecastModelName {
  return (FORECAST_MODEL_NAMES as readonly string[]).includes(name);
}

export interface ModelIngredients {
  /** The trained global network; without it the LSTM cannot be built. */
  readonly network?: GlobalLstmNetwork;
  /** Smoothing parameters found by the last training run: a fit then only runs the filter. */
  readonly holtWintersParameters?: HoltWintersParameters;
}

/** Shortest series each model can fit (the LSTM: one window plus a horizon to measure its errors). */
export function minimumSeriesLength(name: ForecastModelName, ingredients: ModelIngredients = {}): number {
  switch (name) {
    case 'naive':
    case 'seasonal-naive':
      return 1;
    case 'holt-winters':
      return 3;
    case 'lstm':
      return ingredients.network
        ? LstmForecastModel.minimumLength(ingredients.network)
        : Number.POSITIVE_INFINITY;
    default: {
      const unknown: never = name;
      throw new Error(`unknown model ${String(unknown)}`);
    }
  }
}

export function createForecastModel(
  name: ForecastModelName,
  ingredients: ModelIngredients = {},
): ForecastModel {
  switch (name) {
    case 'naive':
      return new NaiveModel();
    case 'seasonal-naive':
      return new SeasonalNaiveModel();
    case 'holt-winters':
      return new HoltWintersModel(
        ingredients.holtWintersParameters ? { parameters: ingredients.holtWintersParameters } : {},
      );
    case 'lstm':
      if (!ingredients.network) throw new Error('the LSTM needs a trained network');
      return new LstmForecastModel(ingredients.network);
    default: {
      const unknown: never = name;
      throw new Error(`unknown model ${String(unknown)}`);
    }
  }
}
