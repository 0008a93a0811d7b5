import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService, listeningUrl, loadConfig } from '@shardcast/platform';
import { serviceTestEnv } from '@shardcast/platform/testing';
import { predictorConfigShape } from '../config/predictor.config.js';
import { PredictorModule } from '../predictor.module.js';

export interface RunningPredictor {
  readonly app: NestFastifyApplication;
  readonly url: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** The predictor booted in-process as main.ts boots it, on the real broker and Postgres. */
export async function startPredictor(options: {
  topicPrefix: string;
  schema: string;
  extra?: Record<string, string>;
}): Promise<RunningPredictor> {
  const config = loadConfig(predictorConfigShape, serviceTestEnv(options));
  const app = await bootstrapService({
    service: 'predictor',
    version: 'test',
    description: 'predictor under test',
    config,
    configShape: predictorConfigShape,
    module: (logger) => PredictorModule.register(config, logger),
  });
  const url = listeningUrl(app);
  return {
    app,
    url,
    async request<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text.length > 0 ? JSON.parse(text) : undefined) as T };
    },
    close: () => app.close(),
  };
}
