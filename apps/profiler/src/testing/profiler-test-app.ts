import { execFile } from 'node:child_process';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService, listeningUrl } from '@shardcast/platform';
import { serviceTestEnv } from '@shardcast/platform/testing';
import { parseProfilerConfig, profilerConfigShape, type ProfilerConfig } from '../config/profiler.config.js';
import { ProfilerModule } from '../profiler.module.js';

export interface RunningProfiler {
  app: NestFastifyApplication;
  url: string;
  config: ProfilerConfig;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  send<T = unknown>(method: string, path: string, body: unknown): Promise<{ status: number; body: T }>;
  metric(name: string, labels?: string): Promise<number>;
  close(): Promise<void>;
}

/** Short intervals so a spec sees several of them in a few seconds. */
export const FAST_TEST_SETTINGS: Record<string, string> = {
  HEAT_INTERVAL_MS: '1000',
  SUMMARY_WINDOW_MS: '250',
  FLUSH_INTERVAL_MS: '200',
  ALLOWED_LATENESS_MS: '2000',
};

/** A profiler started in this process on the real broker and database, as `main.ts` starts it. */
export async function startProfiler(options: {
  topicPrefix: string;
  schema: string;
  extra?: Record<string, string>;
}): Promise<RunningProfiler> {
  const config = parseProfilerConfig(
    serviceTestEnv({
      topicPrefix: options.topicPrefix,
      schema: options.schema,
      extra: { ...FAST_TEST_SETTINGS, ...options.extra },
    }),
  );
  const app = await bootstrapService({
    service: 'profiler',
    version: 'test',
    description: 'profiler under test',
    config,
    configShape: profilerConfigShape,
    module: (logger) => ProfilerModule.register(config, logger),
  });
  const url = listeningUrl(app);
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T,
    };
  };
  return {
    app,
    url,
    config,
    get: (path) => request('GET', path),
    send: (method, path, body) => request(method, path, body),
    metric: async (name, labels = '') => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const pattern = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm');
      let total = 0;
      for (const match of text.matchAll(pattern)) if (match[1]!.includes(labels)) total += Number(match[2]);
      return total;
    },
    close: () => app.close(),
  };
}

/** Produces `key|value` lines with kcat, a Kafka client the project did not write (librdkafka). */
export async function produceWithKcat(
  brokers: string[],
  topic: string,
  lines: string[],
  extraArgs: string[] = [],
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'kcat',
      ['-P', '-b', brokers.join(','), '-t', topic, '-K', '|', '-X', 'linger.ms=5', ...extraArgs],
      (error, _stdout, stderr) =>
        error ? reject(new Error(`kcat failed: ${error.message} ${stderr}`)) : resolve(),
    );
    child.stdin!.end(`${lines.join('\n')}\n`);
  });
}
