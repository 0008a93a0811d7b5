import { describe, expect, it } from 'vitest';
import { DEFAULT_WARNING_RULES, detectEarlyWarnings } from './early-warning.detector.js';
import { samplesInWindow } from './health-features.js';
import type { HealthSample } from './health-sample.js';
import { generateFleet, generateNodeHealth } from './synthetic-health.js';

const HOUR_MS = 3_600_000;
const startMs = Date.UTC(2024, 0, 1);
const base = { startMs, intervalMs: 5 * 60_000, endMs: startMs + 48 * HOUR_MS };
const lastHours = (samples: readonly HealthSample[], atMs: number, hours = 6): HealthSample[] =>
  samplesInWindow(samples, atMs, hours * HOUR_MS);

describe('detectEarlyWarnings', () => {
  it('raises a disk warning on a degrading disk, naming the metric and its precursors', () => {
    const node = generateNodeHealth({
      ...base,
      nodeId: 'disk-dying',
      seed: 4,
      degradation: { kind: 'disk', onsetMs: startMs + 24 * HOUR_MS, failureAtMs: startMs + 42 * HOUR_MS },
    });
    const warnings = detectEarlyWarnings(lastHours(node.samples, startMs + 39 * HOUR_MS));
    expect(warnings.map((w) => w.kind)).toEqual(['disk']);
    const [disk] = warnings;
    expect(['diskReadP99Ms', 'diskWriteP99Ms', 'diskQueueDepth', 'diskIoErrors']).toContain(disk?.feature);
    expect(disk?.value).toBeGreaterThan(disk?.baseline ?? Number.POSITIVE_INFINITY);
    // Latency and queue depth climb together: whichever raised it, the other is a precursor or raised too.
    const related = [...(disk?.alsoRaised ?? []), ...(disk?.precursors.map((p) => p.feature) ?? [])];
    expect(related).toEqual(
      expect.arrayContaining(['diskQueueDepth', 'diskReadP99Ms'].filter((m) => m !== disk?.feature)),
    );
    for (const precursor of disk?.precursors ?? []) expect(precursor.correlation).toBeGreaterThanOrEqual(0.6);
  });

  it('stays silent on healthy nodes', () => {
    const fleet = generateFleet({
      startMs,
      intervalMs: 5 * 60_000,
      durationMs: 48 * HOUR_MS,
      healthy: 30,
      degrading: 0,
      seed: 9,
    });
    for (const node of fleet) {
      for (const hour of [6, 18, 30, 47]) {
        expect(detectEarlyWarnings(lastHours(node.samples, startMs + hour * HOUR_MS))).toEqual([]);
      }
    }
  });

  it('ignores a single stalled sample', () => {
    const node = generateNodeHealth({ ...base, nodeId: 'blip', seed: 5 });
    const window = lastHours(node.samples, startMs + 12 * HOUR_MS);
    const last = window[window.length - 1]!;
    window[window.length - 1] = { ...last, diskReadP99Ms: last.diskReadP99Ms * 20, diskQueueDepth: 40 };
    expect(detectEarlyWarnings(window)).toEqual([]);
  });

  it('catches a steady memory leak by its trend', () => {
    const node = generateNodeHealth({
      ...base,
      nodeId: 'leaky',
      seed: 6,
      degradation: { kind: 'memory', onsetMs: startMs + 12 * HOUR_MS, failureAtMs: startMs + 36 * HOUR_MS },
    });
    const warnings = detectEarlyWarnings(lastHours(node.samples, startMs + 30 * HOUR_MS));
    const memory = warnings.find((w) => w.kind === 'memory');
    expect(memory).toMatchObject({ feature: 'memoryBytes', reason: 'trend' });
    expect(memory?.slopePerHour).toBeGreaterThan(0);
  });

  it('raises a network warning on missed heartbeats', () => {
    const node = generateNodeHealth({
      ...base,
      nodeId: 'flaky-nic',
      seed: 7,
      degradation: { kind: 'network', onsetMs: startMs + 20 * HOUR_MS, failureAtMs: startMs + 30 * HOUR_MS },
    });
    const warnings = detectEarlyWarnings(lastHours(node.samples, startMs + 29 * HOUR_MS));
    expect(warnings.find((w) => w.kind === 'network')?.feature).toBe('missedHeartbeats');
    expect(warnings.some((w) => w.kind === 'disk')).toBe(false);
  });

  it('needs a baseline before judging', () => {
    const node = generateNodeHealth({ ...base, nodeId: 'new', seed: 8 });
    expect(detectEarlyWarnings(node.samples.slice(0, 10))).toEqual([]);
  });

  it('has one rule per warnable metric, none for error-log rate', () => {
    const metrics = DEFAULT_WARNING_RULES.map((r) => r.metric);
    expect(new Set(metrics).size).toBe(metrics.length);
    expect(metrics).not.toContain('errorLogRate');
  });
});
