import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DynamicModule, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfigShape, loadConfig } from '../config/config-loader.js';
import type { JsonLogger } from '../observability/json-logger.js';
import { dropSchema, eventually, integrationEnv, uniqueName } from '../testing/index.js';
import { bootstrapService, listeningUrl } from './bootstrap.js';
import { PlatformModule } from './platform.module.js';

const kafkaScript = fileURLToPath(new URL('../../../../infra/kafka/kafka.sh', import.meta.url));

/**
 * Readiness follows the broker: this spec runs its own real broker (the shared one must not
 * be stopped under other specs), stops it under a running service and starts it again.
 */
class PrivateBroker {
  readonly port = 20_000 + Math.floor(Math.random() * 20_000);
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'shardcast-readiness-kafka-'));
  private readonly env = {
    ...process.env,
    KAFKA_PORT: String(this.port),
    KAFKA_DATA_DIR: this.dataDir,
    KAFKA_HEAP: '256m',
  };

  start(): void {
    const result = spawnSync(kafkaScript, ['start'], { env: this.env, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`private broker did not start: ${result.stderr}`);
  }
  stop(): void {
    spawnSync(kafkaScript, ['stop'], { env: this.env, timeout: 60_000 });
  }
  remove(): void {
    this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

@Module({})
class ReadinessProbeModule {
  static register(config: ReturnType<typeof loadTestConfig>, logger: JsonLogger): DynamicModule {
    return {
      module: ReadinessProbeModule,
      imports: [PlatformModule.forRoot({ service: 'readiness-probe', config, logger })],
    };
  }
}

const shape = baseConfigShape({ name: 'readiness-probe', defaultPort: 0 });
const loadTestConfig = (env: Record<string, string>) => loadConfig(shape, env);

async function readiness(
  url: string,
): Promise<{ status: number; body: { checks: Record<string, { status: string }> } }> {
  const response = await fetch(`${url}/health`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, { status: string }> },
  };
}

describe('readiness follows the broker, without restarting the service', () => {
  const broker = new PrivateBroker();
  const schema = uniqueName('readiness');
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    broker.start();
    const config = loadTestConfig({
      KAFKA_BROKERS: `127.0.0.1:${broker.port}`,
      DATABASE_URL: integrationEnv().databaseUrl,
      DB_SCHEMA: schema,
      PORT: '0',
      LOG_LEVEL: 'error',
    });
    app = await bootstrapService({
      service: 'readiness-probe',
      version: 'test',
      description: 'readiness probe',
      config,
      configShape: shape,
      module: (logger) => ReadinessProbeModule.register(config, logger),
    });
    url = listeningUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    broker.remove();
    await dropSchema(integrationEnv().databaseUrl, schema);
  });

  it('is ready with both checks up, goes down within seconds of the broker stopping, and comes back after it restarts', async () => {
    await eventually(async () =>
      expect(await readiness(url)).toMatchObject({
        status: 200,
        body: { checks: { kafka: { status: 'up' }, postgres: { status: 'up' } } },
      }),
    );

    broker.stop();
    const stoppedAt = Date.now();
    await eventually(
      async () =>
        expect(await readiness(url)).toMatchObject({
          status: 503,
          body: { checks: { kafka: { status: 'down' }, postgres: { status: 'up' } } },
        }),
      { timeoutMs: 15_000 },
    );
    const secondsToNotReady = (Date.now() - stoppedAt) / 1000;
    console.log(
      `readiness went down ${secondsToNotReady.toFixed(1)} s after the broker on 127.0.0.1:${broker.port} stopped`,
    );
    expect(secondsToNotReady).toBeLessThan(10);

    const restartedAt = Date.now();
    broker.start();
    await eventually(async () => expect(await readiness(url)).toMatchObject({ status: 200 }), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    console.log(
      `readiness came back ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the broker was started again`,
    );
  });
});
