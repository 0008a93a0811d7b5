import type { JsonLogger } from './json-logger.js';

/**
 * Routes Node's process warnings into the structured log, minus one: kafkajs 2.2.4 arms
 * `setTimeout(fn, throttledUntil - Date.now())` with throttledUntil = -1 when nothing is
 * throttled (network/requestQueue, scheduleCheckPendingRequests); Node clamps it to 1 ms, as
 * kafkajs expects, and Node ≥ 23 warns about it on every connection. Nothing is wrong then.
 */
export function routeProcessWarnings(logger: Pick<JsonLogger, 'event'>): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    logger.event('warn', warning.message, { warning: warning.name, stack: warning.stack }, 'process');
  });
}
