import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import type { z } from 'zod';

export const restorerConfigShape = {
  ...baseConfigShape({ name: 'restorer', defaultPort: 4004 }),
};

export type RestorerConfig = z.output<z.ZodObject<typeof restorerConfigShape>>;

export const loadRestorerConfig = (): RestorerConfig => loadConfigOrExit(restorerConfigShape);
