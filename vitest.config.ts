import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// One runner for the whole repo. SWC compiles TypeScript so that Nest's decorator
// metadata (constructor injection) exists in tests exactly as in the tsc build.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^@shardcast\/platform\/testing$/, replacement: here('libs/platform/src/testing/index.ts') },
      { find: /^@shardcast\/(contracts|platform)$/, replacement: here('libs/$1/src/index.ts') },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'apps/*/src/**/*.spec.ts',
            'libs/*/src/**/*.spec.ts',
            'infra/**/*.spec.ts',
            'tools/**/*.spec.ts',
          ],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['apps/*/src/**/*.int-spec.ts', 'libs/*/src/**/*.int-spec.ts'],
          environment: 'node',
          globalSetup: [here('libs/platform/src/testing/global-setup.ts')],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: integration files share one broker and one Postgres; a few at a time.
          maxWorkers: 2,
        },
      },
    ],
  },
});
