#!/usr/bin/env node
// Entry point of the forecast bench: runs forecast-bench.ts on Node's own TypeScript support
// (Node 22.12+), with the module hooks that map NodeNext `.js` imports to their sources.
//   node bench/forecast/forecast-bench.mjs [--trace PATH] [--help]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const result = spawnSync(
  process.execPath,
  [
    '--experimental-transform-types',
    '--disable-warning=ExperimentalWarning',
    '--import',
    new URL('./typescript-hooks.mjs', import.meta.url).href,
    fileURLToPath(new URL('./forecast-bench.ts', import.meta.url)),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
