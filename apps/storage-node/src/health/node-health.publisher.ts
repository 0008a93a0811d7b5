import { randomUUID } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { type NodeHealthSampleV1 } from '@shardcast/contracts';
import { JsonLogger, KafkaGateway } from '@shardcast/platform';
import { type StorageNodeConfig, STORAGE_NODE_CONFIG } from '../config/storage-node.config.js';
import { KvLogOffsets } from '../kv/kv-log.offsets.js';
import { ReplicaSetService } from '../replicas/replica-set.service.js';
import { TierDirectories } from '../tiers/tier-directories.js';
import { deviceNumbers, LatencyWindow, parseInflight } from './domain/latency-window.js';

const PROBE_BYTES = 4096;
const PROBES_PER_SAMPLE = 4;

/**
 * Publishes this node's health to `node-health` every few seconds: disk read/write latency
 * measured on its own tiers (a small synced write and a read-back, a few times per
 * interval), probe I/O errors, the block device's queue depth, CPU, memory, event-loop
 * delay and apply lag. The predictor learns failure risk from these.
 */
@Injectable()
export class NodeHealthPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly readLatency = new LatencyWindow(256);
  private readonly writeLatency = new LatencyWindow(256);
  private ioErrors = 0;
  private readonly ioErrorsTotal: Counter;
  private loopDelay: ELDHistogram | undefined;
  private sampleTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastAtMs = Date.now();
  private lastErrorCount = 0;

  constructor(
    @Inject(STORAGE_NODE_CONFIG) private readonly config: StorageNodeConfig,
    @Inject(KafkaGateway) private readonly gateway: KafkaGateway,
    @Inject(TierDirectories) private readonly tiers: TierDirectories,
    @Inject(ReplicaSetService) private readonly replicaSet: ReplicaSetService,
    @Inject(KvLogOffsets) private readonly offsets: KvLogOffsets,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    @Inject(Registry) registry: Registry,
  ) {
    this.ioErrorsTotal = new Counter({
      name: 'shardcast_storage_disk_probe_errors_total',
      help: 'Failed disk probes on the tier directories',
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    const interval = this.config.NODE_HEALTH_INTERVAL_MS;
    if (interval <= 0) return;
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();
    this.probeTimer = setInterval(
      () => void this.probe(),
      Math.max(50, Math.floor(interval / PROBES_PER_SAMPLE)),
    );
    this.probeTimer.unref();
    this.sampleTimer = setInterval(() => void this.publishSample(), interval);
    this.sampleTimer.unref();
    void this.publishLifecycle('joined');
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.probeTimer);
    clearInterval(this.sampleTimer);
    this.loopDelay?.disable();
    if (this.config.NODE_HEALTH_INTERVAL_MS > 0) await this.publishLifecycle('left');
  }

  async sample(): Promise<NodeHealthSampleV1> {
    const nowMs = Date.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, nowMs - this.lastAtMs);
    this.lastCpu = process.cpuUsage();
    this.lastAtMs = nowMs;
    const ioErrors = this.ioErrors;
    this.ioErrors = 0;
    const errorLines = this.logger.errorCount - this.lastErrorCount;
    this.lastErrorCount = this.logger.errorCount;
    const eventLoopDelayP99Ms = this.loopDelay === undefined ? 0 : this.loopDelay.percentile(99) / 1e6;
    this.loopDelay?.reset();
    return {
      kind: 'sample',
      eventId: randomUUID(),
      nodeId: this.config.NODE_ID,
      atMs: nowMs,
      disk: {
        readP50Ms: this.readLatency.percentile(0.5),
        readP99Ms: this.readLatency.percentile(0.99),
        writeP50Ms: this.writeLatency.percentile(0.5),
        writeP99Ms: this.writeLatency.percentile(0.99),
        ioErrors,
        queueDepth: this.queueDepth(),
      },
      cpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
      memoryBytes: process.memoryUsage().rss,
      eventLoopDelayP99Ms: Number.isFinite(eventLoopDelayP99Ms) ? eventLoopDelayP99Ms : 0,
      applyLag: await this.applyLag(),
      errorLogRate: errorLines / (elapsedMs / 1000),
    };
  }

  private async publishSample(): Promise<void> {
    try {
      await this.gateway.publish('nodeHealth', await this.sample());
    } catch (error) {
      this.logger.event(
        'warn',
        'node-health sample not published',
        { error: (error as Error).message },
        'Health',
      );
    }
  }

  private async publishLifecycle(change: 'joined' | 'left'): Promise<void> {
    try {
      await this.gateway.publish('nodeHealth', {
        kind: 'lifecycle',
        eventId: randomUUID(),
        nodeId: this.config.NODE_ID,
        atMs: Date.now(),
        change,
      });
    } catch (error) {
      this.logger.event(
        'warn',
        'node lifecycle event not published',
        { change, error: (error as Error).message },
        'Health',
      );
    }
  }

  /** One synced write and one read-back on each tier. */
  private async probe(): Promise<void> {
    for (const tier of ['fast', 'slow'] as const) {
      const path = join(this.tiers.path(tier), '.health-probe');
      try {
        const payload = Buffer.alloc(PROBE_BYTES, Date.now() % 256);
        const writeStarted = performance.now();
        const handle = await open(path, 'w');
        try {
          await handle.write(payload);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        this.writeLatency.record(performance.now() - writeStarted);
        const readStarted = performance.now();
        const back = await readFile(path);
        this.readLatency.record(performance.now() - readStarted);
        if (!back.equals(payload)) throw new Error('read back different bytes');
      } catch (error) {
        this.ioErrors += 1;
        this.ioErrorsTotal.inc();
        this.logger.event('warn', 'disk probe failed', { tier, error: (error as Error).message }, 'Health');
        await rm(path, { force: true }).catch(() => undefined);
      }
    }
  }

  /** Requests in flight on the tiers' block devices (0 where there is none, e.g. tmpfs). */
  private queueDepth(): number {
    const devices = new Set<string>();
    for (const tier of ['fast', 'slow'] as const) {
      try {
        const { major, minor } = deviceNumbers(statSync(this.tiers.path(tier)).dev);
        if (major !== 0) devices.add(`${major}:${minor}`);
      } catch {
        // The directory is gone: the probe reports that as an I/O error.
      }
    }
    let depth = 0;
    for (const device of devices) {
      try {
        depth += parseInflight(readFileSync(`/sys/dev/block/${device}/inflight`, 'utf8')) ?? 0;
      } catch {
        // Not Linux, or no such device entry.
      }
    }
    return depth;
  }

  private async applyLag(): Promise<number> {
    let highWatermarks: Map<number, bigint>;
    try {
      highWatermarks = await this.offsets.highWatermarks();
    } catch {
      return 0;
    }
    let lag = 0n;
    for (const partition of this.replicaSet.neededPartitions()) {
      const high = highWatermarks.get(partition) ?? 0n;
      const behind = high - 1n - (this.replicaSet.startPosition(partition) - 1n);
      if (behind > 0n) lag += behind;
    }
    return Number(lag);
  }
}
