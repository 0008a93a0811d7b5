import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import type { z } from 'zod';

export const predictorConfigShape = {
  ...baseConfigShape({ name: 'predictor', defaultPort: 4002 }),
};

export type PredictorConfig = z.output<z.ZodObject<typeof predictorConfigShape>>;

export const loadPredictorConfig = (): PredictorConfig => loadConfigOrExit(predictorConfigShape);
