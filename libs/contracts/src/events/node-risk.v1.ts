import { z } from 'zod';
import { epochMs, eventId, nodeId, probability } from '../common.schema.js';

export const warningKind = z.enum(['disk', 'network', 'cpu', 'memory']);

/** Per-node probability of failure within the horizon, with early warnings by kind. */
export const nodeRiskV1 = z.object({
  eventId,
  nodeId,
  zone: z.string().optional(),
  region: z.string().optional(),
  probability: probability.describe('calibrated probability of failure within horizonMs'),
  horizonMs: z.number().int().positive(),
  warnings: z.array(
    z.object({
      kind: warningKind,
      feature: z.string().describe('the health feature that raised the warning'),
      value: z.number(),
      precursors: z.array(z.string()).describe('correlated features that moved with it'),
    }),
  ),
  model: z.object({ name: z.string(), version: z.string() }),
  producedAtMs: epochMs,
});
export type NodeRiskV1 = z.output<typeof nodeRiskV1>;
