import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ShardMap } from '../shard-map/domain/shard-map.js';
import {
  StageOne,
  type StageOneAnswer,
  type StageOneChunk,
  type StageOneLaneOptions,
  type StageOneRequest,
} from './stage-one.js';

/** What a lane hears back from stage 1: its answers, in the order of its requests, or a failure. */
export interface StageOneClient {
  answer(answer: StageOneAnswer): void;
  fail(error: Error): void;
}

/** Chunks sent and not yet answered, beyond which the consumer waits: bounds the memory queued. */
const MAX_CHUNKS_IN_FLIGHT = 8;

/**
 * The consumer thread's end of stage 1 (`StageOne`): on a worker thread (`thread`), so that reading
 * raw events runs beside kafkajs's decoding rather than after it, or in this thread (`inline`, for
 * one-core hosts and unit tests). The protocol and the order are the same either way.
 *
 * The shard map stage 1 routes by is the consumer thread's: it is sent before any chunk it has not
 * seen, so each chunk is routed by the map as it was when the chunk was sent.
 */
export class StageOneChannel {
  private readonly clients = new Map<number, StageOneClient>();
  private nextLaneId = 1;
  private worker: Worker | undefined;
  private readonly inline: StageOne | undefined;
  private sentMap: ShardMap | undefined;
  private sentMapVersion = -1;
  private chunksInFlight = 0;
  private waiting: (() => void)[] = [];
  private stopped = false;

  constructor(
    mode: 'thread' | 'inline',
    private readonly onFailure: (error: Error) => void = () => undefined,
  ) {
    if (mode === 'inline') this.inline = new StageOne();
  }

  /** A new lane of stage 1, answering to `client`. */
  open(client: StageOneClient, options: StageOneLaneOptions): number {
    const laneId = this.nextLaneId++;
    this.clients.set(laneId, client);
    this.post({ type: 'open', laneId, options });
    return laneId;
  }

  close(laneId: number): void {
    if (!this.clients.delete(laneId)) return;
    this.post({ type: 'close', laneId });
  }

  /** Sends a chunk (its buffers are moved to the worker, not copied), routed by `map`. */
  chunk(chunk: StageOneChunk, map: ShardMap): void {
    if (map !== this.sentMap || map.version !== this.sentMapVersion) {
      this.sentMap = map;
      this.sentMapVersion = map.version;
      this.post({ type: 'map', records: map.all() });
    }
    this.chunksInFlight++;
    this.post(chunk, [chunk.bytes.buffer as ArrayBuffer, chunk.ranges.buffer as ArrayBuffer]);
  }

  drain(laneId: number): void {
    this.post({ type: 'drain', laneId });
  }

  /** Undefined when another chunk may be sent now, else a promise of when it may. */
  room(): Promise<void> | undefined {
    if (this.chunksInFlight < MAX_CHUNKS_IN_FLIGHT) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('stage 1 stopped'));
    await worker?.terminate();
  }

  private post(request: StageOneRequest, transfer: ArrayBuffer[] = []): void {
    if (this.inline) {
      let answer: StageOneAnswer | undefined;
      try {
        answer = this.inline.handle(request);
      } catch (error) {
        // As a worker that died: every lane fails, the consumer restarts from what is durable.
        this.failAll(error as Error);
        this.onFailure(error as Error);
        return;
      }
      if (answer !== undefined) this.deliver(answer);
      return;
    }
    (this.worker ?? this.startWorker()).postMessage(request, transfer);
  }

  private deliver(answer: StageOneAnswer): void {
    if (answer.type === 'chunk') {
      this.chunksInFlight--;
      if (this.chunksInFlight < MAX_CHUNKS_IN_FLIGHT) this.wake();
    }
    const client = this.clients.get(answer.laneId);
    try {
      client?.answer(answer);
    } catch (error) {
      // A lane that cannot take its answer (stage 2 threw) is lost; the rest carry on after the restart.
      this.clients.delete(answer.laneId);
      client?.fail(error as Error);
      this.onFailure(error as Error);
    }
  }

  private startWorker(): Worker {
    if (this.stopped) throw new Error('stage 1 stopped');
    const worker = new Worker(workerScript());
    this.worker = worker;
    this.sentMap = undefined;
    worker.on('message', (answer: StageOneAnswer) => {
      if (this.worker === worker) this.deliver(answer);
    });
    const lost = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(error);
      this.onFailure(error);
    };
    worker.on('error', (error: Error) => lost(new Error(`stage-1 worker failed: ${error.message}`)));
    worker.on('exit', (code) => lost(new Error(`stage-1 worker exited (code ${code})`)));
    return worker;
  }

  /** Every lane of a lost worker fails: what it counted is gone, and is replayed from the last flush. */
  private failAll(error: Error): void {
    const clients = [...this.clients.values()];
    this.clients.clear();
    this.chunksInFlight = 0;
    this.wake();
    for (const client of clients) client.fail(error);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/**
 * The worker's script: the built one beside this module. Run from source (the specs), it is the
 * build of the same sources, which must then be current: a stale worker would count by old code.
 */
export function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./stage-one.worker.js', import.meta.url);
  const script = new URL('../../dist/access/stage-one.worker.js', import.meta.url);
  const app = fileURLToPath(new URL('../../', import.meta.url));
  const contracts = fileURLToPath(new URL('../../../../libs/contracts/', import.meta.url));
  if (!existsSync(script)) throw new Error(`${fileURLToPath(script)} is missing: run \`npm run build\``);
  for (const project of [app, contracts]) {
    const builtAt = statSync(join(project, 'dist/.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const changed = newestSource(join(project, 'src'));
    if (changed.mtimeMs > builtAt)
      throw new Error(
        `${changed.path} is newer than its build: run \`npm run build\` (stage 1's worker runs built code)`,
      );
  }
  return script;
}

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'testing') continue;
      const inner = newestSource(path);
      if (inner.mtimeMs > newest.mtimeMs) newest = inner;
    } else if (entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name)) {
      const mtimeMs = statSync(path).mtimeMs;
      if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
    }
  }
  return newest;
}
