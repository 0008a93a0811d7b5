import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ForecastV1,
  type HeatV1,
  type NodeHealthSampleV1,
  type NodeRiskV1,
  type RecoveryProfileV1,
  type ShardStateV1,
  forecastV1,
  initialShards,
  nodeRiskV1,
  recoveryProfileV1,
} from '@shardcast/contracts';
import type { ConsumerHandle, KafkaGateway } from '@shardcast/platform';
import {
  dropSchema,
  eventually,
  gatewayWithTopics,
  integrationEnv,
  uniqueName,
} from '@shardcast/platform/testing';
import { type RunningPredictor, startPredictor } from './testing/predictor-test-app.js';

const MINUTE_MS = 60_000;
const SHARDS = initialShards(3);
// Small everything: one-minute steps, a 4-step horizon, passes every half second, a tiny LSTM.
const SETTINGS = {
  FORECAST_INTERVAL_MS: String(MINUTE_MS),
  FORECAST_HORIZON_STEPS: '4',
  FORECAST_HISTORY_STEPS: '240',
  FORECAST_EVERY_MS: '500',
  RISK_EVERY_MS: '500',
  RETRAIN_EVERY_MS: '0',
  BACKTEST_FOLDS: '2',
  LSTM_LOOKBACK_STEPS: '8',
  LSTM_UNITS: '8',
  LSTM_EPOCHS: '2',
  LSTM_MAX_WINDOWS: '128',
  LSTM_BATCH_SIZE: '64',
  HEALTH_SAMPLE_INTERVAL_MS: String(MINUTE_MS),
  SHARD_CAPACITY_PER_SECOND: '50',
};

/** `minutes` of heat per shard, one event per minute, ending with the last complete minute. */
function heatHistory(nowMs: number, minutes: number): HeatV1[] {
  const lastMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  return SHARDS.flatMap(({ shardId, range }, s) =>
    Array.from({ length: minutes }, (_, i) => {
      const intervalStartMs = lastMinute - (minutes - 1 - i) * MINUTE_MS;
      const minute = intervalStartMs / MINUTE_MS;
      const reads = Math.round(300 + 100 * s + 80 * Math.sin(minute / 5));
      return {
        eventId: `heat:${shardId}:${intervalStartMs}`,
        shardId,
        range: { lo: range.lo.toString(), hi: range.hi.toString() },
        intervalStartMs,
        intervalMs: MINUTE_MS,
        readRate: reads / 60,
        writeRate: 1,
        bytesRate: reads * 10,
        class: 'warm' as const,
        splitPoint: null,
        counts: { reads, writes: 60, bytes: reads * 600 },
        topKeys: [{ key: `user:${s}`, count: 20, error: 0 }],
        producedAtMs: intervalStartMs + MINUTE_MS,
      };
    }),
  );
}

/** 40 minutes of health, one sample a minute; node-b's disk slows down over the last 6. */
function healthHistory(nowMs: number): NodeHealthSampleV1[] {
  const lastMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  return ['node-a', 'node-b'].flatMap((nodeId) =>
    Array.from({ length: 40 }, (_, i) => {
      const atMs = lastMinute - (39 - i) * MINUTE_MS + 1_000;
      const failing = nodeId === 'node-b' && i >= 34;
      const jitter = 1 + 0.05 * Math.sin(i * 1.7);
      return {
        kind: 'sample' as const,
        eventId: `health:${nodeId}:${atMs}`,
        nodeId,
        zone: nodeId === 'node-a' ? 'zone-a' : 'zone-b',
        region: 'region-1',
        atMs,
        disk: {
          readP50Ms: 1,
          readP99Ms: (failing ? 40 + 10 * (i - 34) : 4) * jitter,
          writeP50Ms: 1,
          writeP99Ms: (failing ? 60 + 10 * (i - 34) : 6) * jitter,
          ioErrors: 0,
          queueDepth: (failing ? 12 : 1) * jitter,
        },
        cpu: 0.5 * jitter,
        memoryBytes: 2e9,
        eventLoopDelayP99Ms: 10 * jitter,
        applyLag: 0,
        errorLogRate: 0.1,
      };
    }),
  );
}

function placement(shardId: string, nodes: string[], nowMs: number): ShardStateV1 {
  const shard = SHARDS.find((s) => s.shardId === shardId)!;
  return {
    eventId: `shardmap:${shardId}:1`,
    shardId,
    epoch: 1,
    range: { lo: shard.range.lo.toString(), hi: shard.range.hi.toString() },
    status: 'active',
    replicationFactor: nodes.length,
    replicas: nodes.map((nodeId, i) => ({ nodeId, role: i === 0 ? 'primary' : 'replica', tier: 'fast' })),
    cause: 'initial placement',
    atMs: nowMs,
  };
}

describe('predictor on a real broker and Postgres', () => {
  const { databaseUrl } = integrationEnv();
  const prefix = `${uniqueName('predictor')}.`;
  const schema = uniqueName('predictor');
  let gateway: KafkaGateway;
  let predictor: RunningPredictor;
  const readers: ConsumerHandle[] = [];
  let profiler: NodeJS.Timeout | undefined;
  const forecasts: ForecastV1[] = [];
  const risks: NodeRiskV1[] = [];
  const profiles: RecoveryProfileV1[] = [];

  beforeAll(async () => {
    gateway = await gatewayWithTopics(prefix);
    predictor = await startPredictor({ topicPrefix: prefix, schema, extra: SETTINGS });
    // Reading through the gateway decodes with each topic's schema: an invalid event would go
    // to the dead-letter topic instead of these lists.
    // Topics just created may not have their leaders known to every client yet: retry until they do.
    const retried = <T>(action: () => Promise<T>): Promise<T> => eventually(action, { intervalMs: 500 });
    readers.push(
      await retried(() =>
        gateway.consume({
          topic: 'forecast',
          groupId: `${prefix}forecasts`,
          handle: async (e) => void forecasts.push(...e.map((x) => x.value)),
        }),
      ),
      await retried(() =>
        gateway.consume({
          topic: 'nodeRisk',
          groupId: `${prefix}risks`,
          handle: async (e) => void risks.push(...e.map((x) => x.value)),
        }),
      ),
      await retried(() =>
        gateway.consume({
          topic: 'recoveryProfile',
          groupId: `${prefix}profiles`,
          handle: async (e) => void profiles.push(...e.map((x) => x.value)),
        }),
      ),
    );
    const now = Date.now();
    await retried(() =>
      gateway.publishAll('shardmap', [
        placement('shard-000', ['node-a', 'node-b'], now),
        placement('shard-001', ['node-b', 'node-a'], now),
        placement('shard-002', ['node-a'], now),
      ]),
    );
    await retried(() => gateway.publishAll('heat', heatHistory(now, 60)));
    await retried(() => gateway.publishAll('nodeHealth', healthHistory(now)));
    // Plays the profiler while the test runs: each completed minute gets its heat (a repeat is
    // deduplicated by event id), so the series does not end in minutes without traffic.
    profiler = setInterval(
      () => void gateway.publishAll('heat', heatHistory(Date.now(), 1)).catch(() => undefined),
      2_000,
    );
  });

  afterAll(async () => {
    clearInterval(profiler);
    await Promise.allSettled(readers.map((r) => r.stop()));
    await predictor?.close().catch(() => undefined);
    await gateway?.disconnect();
    await dropSchema(databaseUrl, schema);
  });

  it('turns heat into valid forecast events with quantiles and RRS, and serves them', async () => {
    await eventually(
      () => {
        const latest = latestBy(forecasts, (f) => f.shardId);
        expect([...latest.keys()].sort()).toEqual(['shard-000', 'shard-001', 'shard-002']);
        for (const forecast of latest.values()) {
          expect(forecastV1.safeParse(forecast).success).toBe(true);
          expect(forecast.steps).toHaveLength(4);
          expect(forecast.model).toEqual({ name: 'holt-winters', version: '0' });
          expect(forecast.capacity).toBe(50 * 60);
          expect(forecast.rrs).toBeGreaterThanOrEqual(0);
          expect(forecast.rrs).toBeLessThan(0.5);
        }
      },
      { timeoutMs: 60_000 },
    );

    const all = await predictor.request<{ forecasts: ForecastV1[] }>('GET', '/v1/forecasts');
    expect(all.status).toBe(200);
    expect(all.body.forecasts.map((f) => f.shardId)).toEqual(['shard-000', 'shard-001', 'shard-002']);
    const one = await predictor.request<{ forecasts: ForecastV1[] }>('GET', '/v1/forecasts?shard=shard-001');
    expect(one.body.forecasts.map((f) => f.shardId)).toEqual(['shard-001']);
    const missing = await predictor.request<{ error: { code: string } }>(
      'GET',
      '/v1/forecasts?shard=shard-999',
    );
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('publishes valid node risk with early warnings by kind, and recovery profiles for the shards each node holds', async () => {
    await eventually(
      () => {
        const latest = latestBy(risks, (r) => r.nodeId);
        const a = latest.get('node-a');
        const b = latest.get('node-b');
        expect(a && nodeRiskV1.safeParse(a).success).toBe(true);
        expect(b?.warnings.map((w) => w.kind)).toContain('disk');
        expect(b!.probability).toBeGreaterThan(a!.probability);
        expect(b?.model.name).toBe('early-warning-score');
      },
      { timeoutMs: 60_000 },
    );
    await eventually(() => {
      const profile = latestBy(profiles, (p) => p.nodeId).get('node-a');
      expect(profile && recoveryProfileV1.safeParse(profile).success).toBe(true);
      expect(profile?.shards.map((s) => s.shardId).sort()).toEqual(['shard-000', 'shard-001', 'shard-002']);
    });

    const overview = await predictor.request<{
      nodes: unknown[];
      byZone: { value: string }[];
      byRegion: { value: string; nodes: number }[];
    }>('GET', '/v1/node-risk');
    expect(overview.body.nodes).toHaveLength(2);
    expect(overview.body.byZone.map((z) => z.value).sort()).toEqual(['zone-a', 'zone-b']);
    expect(overview.body.byRegion).toMatchObject([{ value: 'region-1', nodes: 2 }]);
    const profile = await predictor.request<{ event: RecoveryProfileV1 }>(
      'GET',
      '/v1/recovery-profiles/node-b',
    );
    expect(profile.body.event.shards.map((s) => s.shardId).sort()).toEqual(['shard-000', 'shard-001']);
    expect((await predictor.request('GET', '/v1/recovery-profiles/node-z')).status).toBe(404);
  });

  it('rejects a bad hint naming every bad field, and applies a good one to the forecasts it matches', async () => {
    const bad = await predictor.request<{ error: { status: number; details: { path: string }[] } }>(
      'POST',
      '/v1/hints',
      {
        id: 'no spaces allowed',
        scope: { kind: 'hash-range', lo: '10', hi: '5' },
        window: { kind: 'recurring', schedule: 'Funday 09:00-10:00' },
        factor: -2,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual([
      'factor',
      'id',
      'scope.hi',
      'window.schedule',
    ]);

    const shard0 = SHARDS[0]!.range;
    const now = Date.now();
    const created = await predictor.request<{ id: string }>('POST', '/v1/hints', {
      id: 'launch',
      description: 'product launch on the keys of shard-000',
      scope: { kind: 'hash-range', lo: shard0.lo.toString(), hi: shard0.hi.toString() },
      window: { kind: 'once', startMs: now, endMs: now + 60 * MINUTE_MS },
      factor: 20,
    });
    expect(created).toMatchObject({ status: 201, body: { id: 'launch' } });
    await eventually(() => {
      const latest = latestBy(forecasts, (f) => f.shardId);
      expect(latest.get('shard-000')?.hintsUsed).toEqual(['launch']);
      // Twenty times ~360 a minute is far above the 3000 capacity: resharding is all but certain.
      expect(latest.get('shard-000')?.rrs).toBeGreaterThan(0.9);
      expect(latest.get('shard-001')?.hintsUsed).toEqual([]);
    });
  });

  it('validates PUT /v1/config and applies a new capacity to the next forecasts', async () => {
    const bad = await predictor.request<{ error: { details: { path: string; message: string }[] } }>(
      'PUT',
      '/v1/config',
      {
        capacityPerSecond: 0,
        forecastEveryMs: 'soon',
        horizon: 12,
      },
    );
    expect(bad.status).toBe(400);
    const problems = bad.body.error.details.map((d) => `${d.path}: ${d.message}`).join('\n');
    expect(problems).toMatch(/capacityPerSecond/);
    expect(problems).toMatch(/forecastEveryMs/);
    expect(problems).toMatch(/horizon/);

    const changed = await predictor.request<{ capacityPerSecond: number }>('PUT', '/v1/config', {
      capacityOverrides: { 'shard-002': 1 },
    });
    expect(changed.status).toBe(200);
    await eventually(() => {
      const forecast = latestBy(forecasts, (f) => f.shardId).get('shard-002');
      expect(forecast?.capacity).toBe(60);
      expect(forecast?.rrs).toBeGreaterThan(0.99);
    });
  });

  it('retrains through the API into a new version that serves, and serves it again after a restart', async () => {
    const health = await predictor.request<{ details: { tfjs: { backend: string } } }>('GET', '/health');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(health.body.details.tfjs.backend);

    const retrain = await predictor.request<{ version: number; status: string }>(
      'POST',
      '/v1/models/retrain',
    );
    expect(retrain).toMatchObject({ status: 202, body: { status: 'training' } });
    const version = retrain.body.version;
    const served = await eventually(
      async () => {
        const models = await predictor.request<{
          versions: {
            version: number;
            status: string;
            lstm: { windows?: number };
            summary: { byModel: Record<string, { mase: number }> };
          }[];
        }>('GET', '/v1/models');
        const trained = models.body.versions.find((v) => v.version === version);
        expect(trained?.status).toBe('serving');
        return trained!;
      },
      { timeoutMs: 90_000 },
    );
    expect(served.lstm.windows).toBeGreaterThan(0);
    expect(Object.keys(served.summary.byModel).sort()).toEqual([
      'holt-winters',
      'lstm',
      'naive',
      'seasonal-naive',
    ]);
    const detail = await predictor.request<{ shards: { shardId: string; servingModel: string }[] }>(
      'GET',
      `/v1/models/${version}`,
    );
    expect(detail.body.shards.map((s) => s.shardId)).toEqual(['shard-000', 'shard-001', 'shard-002']);
    await eventually(() => {
      for (const forecast of latestBy(forecasts, (f) => f.shardId).values()) {
        expect(forecast.model.version).toBe(String(version));
      }
    });

    await predictor.close();
    predictor = await startPredictor({ topicPrefix: prefix, schema, extra: SETTINGS });
    const models = await predictor.request<{ servingOnThisInstance: number }>('GET', '/v1/models');
    expect(models.body.servingOnThisInstance).toBe(version);
    const restartedAt = Date.now();
    await eventually(() => {
      const fresh = forecasts.filter((f) => f.producedAtMs >= restartedAt);
      expect(fresh.length).toBeGreaterThan(0);
      for (const forecast of fresh) expect(forecast.model.version).toBe(String(version));
    });
  });
});

function latestBy<T extends { producedAtMs: number }>(
  events: readonly T[],
  key: (e: T) => string,
): Map<string, T> {
  const latest = new Map<string, T>();
  for (const e of events) {
    const held = latest.get(key(e));
    if (!held || held.producedAtMs <= e.producedAtMs) latest.set(key(e), e);
  }
  return latest;
}
