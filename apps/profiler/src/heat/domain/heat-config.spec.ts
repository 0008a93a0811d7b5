import { describe, expect, it } from 'vitest';
import { assertHeatConfig, heatConfigProblems, type HeatConfig } from './heat-config.js';

const VALID: HeatConfig = {
  halfLifeMs: 300_000,
  thresholds: { hotEnter: 1000, hotExit: 800, coldEnter: 10, coldExit: 20 },
  bucketCount: 64,
  topKeyCapacity: 32,
  minSplitSamples: 100,
  keyHash: () => 0n,
};

describe('heat config', () => {
  it('accepts a valid config', () => {
    expect(heatConfigProblems(VALID)).toEqual([]);
    expect(() => assertHeatConfig(VALID)).not.toThrow();
  });

  it('reports every problem at once', () => {
    const bad = {
      ...VALID,
      halfLifeMs: -1,
      bucketCount: 1.5,
      topKeyCapacity: 0,
      minSplitSamples: Number.NaN,
      keyHash: undefined as never,
      thresholds: { ...VALID.thresholds, hotExit: 2000 },
    };
    expect(heatConfigProblems(bad)).toEqual([
      'halfLifeMs must be > 0',
      'bucketCount must be an integer ≥ 1',
      'topKeyCapacity must be an integer ≥ 1',
      'minSplitSamples must be ≥ 0',
      'keyHash must be a function',
      'thresholds.hotExit must be ≤ hotEnter',
    ]);
    expect(() => assertHeatConfig(bad)).toThrow(
      /^invalid heat config: halfLifeMs must be > 0; .*hotExit must be ≤ hotEnter$/,
    );
  });
});
