import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeHealthEventV1, NodeRiskV1 } from '@shardcast/contracts';
import type { ConsumerHandle, KafkaGateway } from '@shardcast/platform';
import {
  dropSchema,
  eventually,
  gatewayWithTopics,
  integrationEnv,
  uniqueName,
} from '@shardcast/platform/testing';
import { type RunningPredictor, startPredictor } from '../testing/predictor-test-app.js';
import { generateFleet } from './domain/index.js';

const HOUR_MS = 3_600_000;
const SAMPLE_MS = 10 * 60_000;

/**
 * A recorded fleet: two days of health every ten minutes, four nodes whose disks degraded and
 * failed (with their lifecycle `failed` events), eight healthy ones still reporting.
 */
function fleetEvents(nowMs: number): NodeHealthEventV1[] {
  const fleet = generateFleet({
    healthy: 8,
    degrading: 4,
    startMs: nowMs - 48 * HOUR_MS,
    intervalMs: SAMPLE_MS,
    durationMs: 48 * HOUR_MS,
    seed: 11,
  });
  return fleet.flatMap((node) => [
    ...node.samples.map((s): NodeHealthEventV1 => ({
      kind: 'sample',
      eventId: `health:${node.nodeId}:${s.atMs}`,
      nodeId: node.nodeId,
      zone: node.labels['zone'],
      region: node.labels['region'],
      atMs: s.atMs,
      disk: {
        readP50Ms: s.diskReadP99Ms / 4,
        readP99Ms: s.diskReadP99Ms,
        writeP50Ms: s.diskWriteP99Ms / 4,
        writeP99Ms: s.diskWriteP99Ms,
        ioErrors: s.diskIoErrors,
        queueDepth: s.diskQueueDepth,
      },
      cpu: s.cpu,
      memoryBytes: s.memoryBytes,
      eventLoopDelayP99Ms: s.eventLoopDelayP99Ms,
      applyLag: 0,
      errorLogRate: s.errorLogRate,
    })),
    ...(node.failureAtMs === undefined
      ? []
      : [
          {
            kind: 'lifecycle' as const,
            eventId: `lifecycle:${node.nodeId}:failed`,
            nodeId: node.nodeId,
            atMs: node.failureAtMs,
            change: 'failed' as const,
            reason: 'disk',
          },
        ]),
  ]);
}

describe('failure risk from recorded failures, on a real broker and Postgres', () => {
  const { databaseUrl } = integrationEnv();
  const prefix = `${uniqueName('predictor_risk')}.`;
  const schema = uniqueName('predictor_risk');
  let gateway: KafkaGateway;
  let predictor: RunningPredictor;
  let reader: ConsumerHandle | undefined;
  const risks: NodeRiskV1[] = [];

  const start = (): Promise<RunningPredictor> =>
    startPredictor({
      topicPrefix: prefix,
      schema,
      extra: {
        RETRAIN_EVERY_MS: '0',
        RISK_EVERY_MS: '500',
        RISK_HORIZON_MS: String(6 * HOUR_MS),
        HEALTH_SAMPLE_INTERVAL_MS: String(SAMPLE_MS),
      },
    });

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix);
    predictor = await start();
    // Topics just created may not have their leaders known to every client yet: retry until they do.
    reader = await eventually(
      () =>
        gateway.consume({
          topic: 'nodeRisk',
          groupId: `${prefix}risks`,
          handle: async (events) => void risks.push(...events.map((e) => e.value)),
        }),
      { intervalMs: 500 },
    );
    const events = fleetEvents(Date.now());
    await eventually(() => gateway.publishAll('nodeHealth', events), { intervalMs: 500 });
  });

  afterAll(async () => {
    await reader?.stop();
    await predictor?.close().catch(() => undefined);
    await gateway?.disconnect();
    await dropSchema(databaseUrl, schema);
  });

  it('scores with the early-warning score until a retrain learns a calibrated classifier from the failures, then with it, also after a restart', async () => {
    await eventually(
      () => {
        const nodes = new Set(risks.map((r) => r.nodeId));
        // The failed nodes are down: only the eight still reporting are assessed.
        expect(nodes.size).toBe(8);
        expect(risks.every((r) => r.model.name === 'early-warning-score')).toBe(true);
      },
      { timeoutMs: 60_000 },
    );

    const retrain = await predictor.request<{ version: number }>('POST', '/v1/models/retrain');
    expect(retrain.status).toBe(202);
    const trained = await eventually(
      async () => {
        const models = await predictor.request<{
          versions: { version: number; status: string; failureRisk: Record<string, unknown> }[];
        }>('GET', '/v1/models');
        const version = models.body.versions.find((v) => v.version === retrain.body.version);
        expect(version?.status).toBe('serving');
        return version!.failureRisk as {
          failuresWithHistory: number;
          classifier: string;
          candidates: Record<string, unknown>;
          holdout: {
            auc: number;
            positives: number;
            reliability: unknown[];
            precisionRecall: { threshold: number; precision: number; recall: number }[];
          };
        };
      },
      { timeoutMs: 90_000 },
    );
    expect(trained.failuresWithHistory).toBe(4);
    // With the default choice (auto) every classifier is trained and measured; which one serves is recorded.
    expect(Object.keys(trained.candidates).sort()).toEqual([
      'failure-logistic',
      'failure-tfjs-logistic',
      'failure-tfjs-mlp',
    ]);
    expect(trained.classifier).toMatch(/^failure-(logistic|tfjs-logistic|tfjs-mlp)$/);
    expect(trained.holdout.positives).toBeGreaterThan(0);
    expect(trained.holdout.auc).toBeGreaterThan(0.8);
    expect(trained.holdout.reliability).toHaveLength(10);
    expect(trained.holdout.precisionRecall.map((p) => p.threshold)).toEqual([0.25, 0.5, 0.75]);

    const servedRisks = async (): Promise<Map<string, number>> => {
      const since = Date.now();
      return eventually(() => {
        const fresh = risks.filter((r) => r.producedAtMs >= since);
        expect(new Set(fresh.map((r) => r.nodeId)).size).toBe(8);
        for (const risk of fresh) {
          expect(risk.model).toEqual({ name: trained.classifier, version: String(retrain.body.version) });
          // Healthy nodes: a calibrated classifier gives them a low probability of failing within 6 h.
          expect(risk.probability).toBeLessThan(0.5);
        }
        return new Map(fresh.map((r) => [r.nodeId, r.probability]));
      });
    };
    await servedRisks();

    // The classifier (tfjs weights included) is reloaded from Postgres on start and serves again.
    await predictor.close();
    predictor = await start();
    expect((await servedRisks()).size).toBe(8);
  });
});
