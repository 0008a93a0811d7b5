import { baseConfigShape, loadConfigOrExit } from '@shardcast/platform';
import type { z } from 'zod';

export const profilerConfigShape = {
  ...baseConfigShape({ name: 'profiler', defaultPort: 4001 }),
};

export type ProfilerConfig = z.output<z.ZodObject<typeof profilerConfigShape>>;

export const loadProfilerConfig = (): ProfilerConfig => loadConfigOrExit(profilerConfigShape);
