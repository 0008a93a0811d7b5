import { describe, expect, it } from 'vitest';
import {
  classifyHeat,
  heatThresholdProblems,
  type HeatClass,
  type HeatThresholds,
} from './heat-classification.js';

const THRESHOLDS: HeatThresholds = { hotEnter: 100, hotExit: 80, coldEnter: 10, coldExit: 20 };

function classesOver(
  rates: number[],
  thresholds: HeatThresholds,
  start: HeatClass | null = null,
): HeatClass[] {
  const classes: HeatClass[] = [];
  let current = start;
  for (const rate of rates) {
    current = classifyHeat(rate, current, thresholds);
    classes.push(current);
  }
  return classes;
}

function transitions(classes: HeatClass[]): number {
  return classes.filter((c, i) => i > 0 && c !== classes[i - 1]).length;
}

describe('classifyHeat', () => {
  it('classifies a first evaluation by the enter levels alone', () => {
    expect(classifyHeat(100, null, THRESHOLDS)).toBe('hot');
    expect(classifyHeat(99.9, null, THRESHOLDS)).toBe('warm');
    expect(classifyHeat(10, null, THRESHOLDS)).toBe('cold');
    expect(classifyHeat(10.1, null, THRESHOLDS)).toBe('warm');
  });

  it('does not flap when the rate hovers around hotEnter', () => {
    const rates = [99, 101, 99, 101, 95, 85, 80, 79.9, 99, 101];
    expect(classesOver(rates, THRESHOLDS)).toEqual([
      'warm',
      'hot',
      'hot',
      'hot',
      'hot',
      'hot',
      'hot',
      'warm',
      'warm',
      'hot',
    ]);
    // Without a gap between enter and exit, the same input flips at every step around the level.
    const noHysteresis = { ...THRESHOLDS, hotExit: 100 };
    expect(transitions(classesOver(rates.slice(0, 4), noHysteresis))).toBe(3);
    expect(transitions(classesOver(rates.slice(0, 4), THRESHOLDS))).toBe(1);
  });

  it('does not flap when the rate hovers around coldEnter (mirrored)', () => {
    expect(classesOver([11, 9, 11, 15, 20, 20.1, 9], THRESHOLDS)).toEqual([
      'warm',
      'cold',
      'cold',
      'cold',
      'cold',
      'warm',
      'cold',
    ]);
  });

  it('goes straight between hot and cold on a large change', () => {
    expect(classifyHeat(5, 'hot', THRESHOLDS)).toBe('cold');
    expect(classifyHeat(150, 'cold', THRESHOLDS)).toBe('hot');
  });

  it('is idempotent at a fixed rate', () => {
    for (const previous of [null, 'hot', 'warm', 'cold'] as const) {
      for (const rate of [0, 10, 15, 20, 50, 80, 90, 100, 200]) {
        const once = classifyHeat(rate, previous, THRESHOLDS);
        expect(classifyHeat(rate, once, THRESHOLDS)).toBe(once);
      }
    }
  });
});

describe('heatThresholdProblems', () => {
  it('accepts ordered levels, with or without gaps', () => {
    expect(heatThresholdProblems(THRESHOLDS)).toEqual([]);
    expect(heatThresholdProblems({ hotEnter: 50, hotExit: 50, coldEnter: 5, coldExit: 5 })).toEqual([]);
  });

  it('reports every misordering', () => {
    expect(heatThresholdProblems({ hotEnter: 50, hotExit: 60, coldEnter: 70, coldExit: 65 })).toEqual([
      'thresholds.coldEnter must be ≤ coldExit',
      'thresholds.coldExit must be < hotExit',
      'thresholds.hotExit must be ≤ hotEnter',
    ]);
    expect(heatThresholdProblems({ ...THRESHOLDS, coldEnter: -1 })).toEqual([
      'thresholds.coldEnter must be a finite number ≥ 0',
    ]);
  });
});
