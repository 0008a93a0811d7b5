export type HeatClass = 'hot' | 'warm' | 'cold';

/**
 * Rate levels, in operations per second, with hysteresis. A shard becomes hot when its rate reaches
 * `hotEnter` and stays hot until the rate falls below `hotExit`; it becomes cold when the rate is at
 * or below `coldEnter` and stays cold until the rate rises above `coldExit`. The gaps keep a shard
 * whose rate hovers near one level from flapping, which would move it between tiers and re-plan
 * splits and merges on every interval. Requires `0 ≤ coldEnter ≤ coldExit < hotExit ≤ hotEnter`.
 */
export interface HeatThresholds {
  hotEnter: number;
  hotExit: number;
  coldEnter: number;
  coldExit: number;
}

export function heatThresholdProblems(thresholds: HeatThresholds): string[] {
  const { hotEnter, hotExit, coldEnter, coldExit } = thresholds;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(thresholds)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`thresholds.${name} must be a finite number ≥ 0`);
    }
  }
  if (problems.length > 0) return problems;
  if (coldEnter > coldExit) problems.push('thresholds.coldEnter must be ≤ coldExit');
  if (coldExit >= hotExit) problems.push('thresholds.coldExit must be < hotExit');
  if (hotExit > hotEnter) problems.push('thresholds.hotExit must be ≤ hotEnter');
  return problems;
}

/**
 * The class of a shard with rate `rate`, given its class at the previous evaluation (null if none).
 * Applying it twice with the same rate changes nothing, so re-evaluating at the same instant is safe.
 */
export function classifyHeat(
  rate: number,
  previous: HeatClass | null,
  thresholds: HeatThresholds,
): HeatClass {
  if (previous === 'hot' && rate >= thresholds.hotExit) return 'hot';
  if (previous === 'cold' && rate <= thresholds.coldExit) return 'cold';
  if (rate >= thresholds.hotEnter) return 'hot';
  if (rate <= thresholds.coldEnter) return 'cold';
  return 'warm';
}
