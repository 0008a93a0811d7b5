import { describe, expect, it } from 'vitest';
import type { NodeRisk } from './zone-risk.js';
import { aggregateRiskByLabel } from './zone-risk.js';

const nodes: NodeRisk[] = [
  { nodeId: 'a1', probability: 0.1, labels: { zone: 'eu-west-1a', region: 'eu-west-1' } },
  { nodeId: 'a2', probability: 0.2, labels: { zone: 'eu-west-1a', region: 'eu-west-1' } },
  { nodeId: 'b1', probability: 0.05, labels: { zone: 'eu-west-1b', region: 'eu-west-1' } },
  { nodeId: 'x', probability: 0.5, labels: {} },
];

describe('aggregateRiskByLabel', () => {
  it('rolls node risks up per zone assuming independent failures, riskiest first', () => {
    const zones = aggregateRiskByLabel(nodes, 'zone');
    expect(zones.map((z) => z.value)).toEqual([null, 'eu-west-1a', 'eu-west-1b']);
    expect(zones[1]).toEqual({
      value: 'eu-west-1a',
      nodes: 2,
      probabilityAnyFails: expect.closeTo(1 - 0.9 * 0.8, 12), // 0.28
      expectedFailures: expect.closeTo(0.3, 12),
      riskiestNodeId: 'a2',
      riskiestProbability: 0.2,
    });
  });

  it('works for any label, e.g. regions', () => {
    const regions = aggregateRiskByLabel(nodes.slice(0, 3), 'region');
    expect(regions).toHaveLength(1);
    expect(regions[0]?.probabilityAnyFails).toBeCloseTo(1 - 0.9 * 0.8 * 0.95, 12);
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => aggregateRiskByLabel([{ nodeId: 'bad', probability: 1.2, labels: {} }], 'zone')).toThrow(
      RangeError,
    );
  });
});
