import { describe, expect, it } from 'vitest';
import { deviceNumbers, LatencyWindow, parseInflight } from './latency-window.js';

describe('LatencyWindow', () => {
  it('reports percentiles of the most recent samples only', () => {
    const window = new LatencyWindow(4);
    expect(window.percentile(0.5)).toBe(0);
    for (const value of [100, 1, 2, 3, 4]) window.record(value);
    expect(window.size).toBe(4);
    expect(window.percentile(0.5)).toBe(2);
    expect(window.percentile(0.99)).toBe(4);
    window.record(Number.NaN);
    expect(window.percentile(0.99)).toBe(4);
  });
});

describe('block device helpers', () => {
  it('decodes dev_t and the inflight file', () => {
    expect(deviceNumbers(0xfd01)).toEqual({ major: 253, minor: 1 });
    expect(deviceNumbers(2049)).toEqual({ major: 8, minor: 1 });
    expect(parseInflight('       3        5\n')).toBe(8);
    expect(parseInflight('x')).toBeUndefined();
  });
});
