import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService, listeningUrl, loadConfig } from '@shardcast/platform';
import { eventually, serviceTestEnv } from '@shardcast/platform/testing';
import { storageNodeConfigShape } from '../config/storage-node.config.js';
import { StorageNodeModule } from '../storage-node.module.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

export interface NodeOptions {
  readonly prefix: string;
  readonly schema: string;
  readonly nodeId: string;
  readonly partitions: number;
  readonly shardCount: number;
  /** Tier directories; a fresh temp dir when not given. */
  readonly dataDir?: string;
  readonly extra?: Record<string, string>;
}

export interface InProcessNode {
  readonly nodeId: string;
  readonly url: string;
  readonly dataDir: string;
  readonly app: NestFastifyApplication;
  close(): Promise<void>;
}

export function tempDataDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `shardcast-${label}-`));
}

export function nodeEnv(options: NodeOptions, dataDir: string): Record<string, string> {
  return serviceTestEnv({
    topicPrefix: options.prefix,
    schema: options.schema,
    extra: {
      NODE_ID: options.nodeId,
      FAST_TIER_DIR: join(dataDir, 'fast'),
      SLOW_TIER_DIR: join(dataDir, 'slow'),
      KV_LOG_PARTITIONS: String(options.partitions),
      SHARD_COUNT: String(options.shardCount),
      ACCESS_SUMMARY_INTERVAL_MS: '0',
      NODE_HEALTH_INTERVAL_MS: '0',
      LOG_LEVEL: 'error',
      ...options.extra,
    },
  });
}

/** Boots a storage-node inside the test process, exactly as main.ts does. */
export async function startNodeInProcess(options: NodeOptions): Promise<InProcessNode> {
  const dataDir = options.dataDir ?? tempDataDir(options.nodeId);
  const config = loadConfig(storageNodeConfigShape, nodeEnv(options, dataDir));
  const app = await bootstrapService({
    service: 'storage-node',
    version: 'test',
    description: 'storage-node under test',
    config,
    configShape: storageNodeConfigShape,
    module: (logger) => StorageNodeModule.register(config, logger),
    bodyLimit: Math.max(config.MAX_VALUE_BYTES, config.MAX_BATCH_BYTES) + 64 * 1024,
  });
  return { nodeId: options.nodeId, url: listeningUrl(app), dataDir, app, close: () => app.close() };
}

/** A storage-node as a child process from the built dist, so it can really be killed with SIGKILL. */
export class ChildNode {
  private process: ChildProcess | undefined;
  private output = '';

  constructor(
    readonly options: NodeOptions & { readonly port: number },
    readonly dataDir: string = tempDataDir(options.nodeId),
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get logs(): string {
    return this.output;
  }

  start(): void {
    const env = { ...process.env, ...nodeEnv(this.options, this.dataDir), PORT: String(this.options.port) };
    const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/storage-node/dist/main.js')], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.process = child;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await eventually(
      async () => {
        if (this.process?.exitCode !== null && this.process?.exitCode !== undefined) {
          throw new Error(`node exited with ${this.process.exitCode}: ${this.output}`);
        }
        const response = await fetch(`${this.url}/health`);
        if (response.status !== 200) throw new Error(`not ready: ${await response.text()}`);
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface WriteAck {
  readonly version: string;
  readonly token: string;
}

export function keyUrl(base: string, key: string): string {
  return `${base}/v1/kv/${encodeURIComponent(key)}`;
}

export async function putValue(
  base: string,
  key: string,
  value: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(keyUrl(base, key), {
    method: 'PUT',
    body: value,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
}

/** Compares two "partition:offset" versions of the same key (same partition). */
export function laterVersion(a: string, b: string): boolean {
  return BigInt(a.split(':')[1]!) > BigInt(b.split(':')[1]!);
}

/** Runs `worker` for indexes 0..count-1 with at most `concurrency` at once. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  worker: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const index = next;
        next += 1;
        if (index >= count) return;
        await worker(index);
      }
    }),
  );
}

/** A TCP port that was free a moment ago (for child processes that need a fixed one). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Builds the storage-node (incrementally, with its libs) so child processes run the current code. */
export async function buildDist(): Promise<void> {
  await new Promise<void>((resolveBuild, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/storage-node/tsconfig.json'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolveBuild() : reject(new Error(`tsc -b failed (${code}): ${output}`)),
    );
  });
}

export interface ShardsReport {
  replicas: {
    shardId: string;
    state: string;
    readable: boolean;
    appliedOffsets: Record<string, string>;
    lag: number | null;
    tier: string;
    range: { lo: string; hi: string };
  }[];
}

export async function shardsOf(base: string): Promise<ShardsReport> {
  const response = await fetch(`${base}/v1/admin/shards`);
  if (response.status !== 200) throw new Error(`GET /v1/admin/shards: ${response.status}`);
  return (await response.json()) as ShardsReport;
}

export async function contentHashOf(
  base: string,
  shardId: string,
): Promise<{ contentHash: string; entries: number; appliedOffsets: Record<string, string> }> {
  const response = await fetch(`${base}/v1/admin/shards/${shardId}/content-hash`);
  if (response.status !== 200)
    throw new Error(`content-hash of ${shardId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as {
    contentHash: string;
    entries: number;
    appliedOffsets: Record<string, string>;
  };
}

/** A request written by hand on a socket: no body and no body framing at all (fetch and node:http add one). */
export async function bareRequest(url: string, method: string): Promise<{ status: number; body: string }> {
  const { connect } = await import('node:net');
  const target = new URL(url);
  return new Promise((resolveResponse, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(
        `${method} ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`,
      );
    });
    let raw = '';
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    socket.once('error', reject);
    socket.once('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      resolveResponse({ status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4) });
    });
  });
}
