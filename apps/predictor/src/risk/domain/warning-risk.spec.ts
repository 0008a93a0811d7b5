import { describe, expect, it } from 'vitest';
import type { EarlyWarning } from './early-warning.detector.js';
import { warningRiskScore } from './warning-risk.js';

const warning = (
  kind: EarlyWarning['kind'],
  shiftSigmas: number,
  reason: EarlyWarning['reason'] = 'level-shift',
): EarlyWarning => ({
  kind,
  feature: kind === 'disk' ? 'diskReadP99Ms' : 'cpu',
  reason,
  value: 10,
  baseline: 5,
  shiftSigmas,
  slopePerHour: 1,
  alsoRaised: [],
  precursors: [],
});

describe('warningRiskScore', () => {
  it('is the baseline with no warning and rises with each warning and its strength', () => {
    const none = warningRiskScore([]);
    const one = warningRiskScore([warning('disk', 4)]);
    const stronger = warningRiskScore([warning('disk', 10)]);
    const two = warningRiskScore([warning('disk', 10), warning('cpu', 4)]);
    expect(none).toBeCloseTo(0.01, 10);
    expect(one).toBeGreaterThan(none);
    expect(stronger).toBeGreaterThan(one);
    expect(two).toBeGreaterThan(stronger);
    expect(two).toBeLessThan(1);
  });

  it('caps the evidence of a single warning', () => {
    expect(warningRiskScore([warning('disk', 1000)])).toBeCloseTo(
      warningRiskScore([warning('disk', 12)]),
      12,
    );
    expect(warningRiskScore([warning('disk', 0, 'trend')])).toBeCloseTo(
      warningRiskScore([warning('disk', 4)]),
      12,
    );
  });
});
