import { type LogPosition } from './domain/index.js';

/** One record to append to kv.log, already encoded, on an explicit partition. */
export interface AppendRequest {
  readonly partition: number;
  readonly key: Buffer;
  /** null = a delete (a Kafka tombstone). */
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer>;
}

/** Sends one batch on one producer; resolves with each partition's base offset once acknowledged. */
export type BatchSender = (
  lane: number,
  records: readonly AppendRequest[],
) => Promise<readonly { readonly partition: number; readonly baseOffset: string }[]>;

export interface LogAppenderOptions {
  /** Parallel producers; each keeps one request in flight (kafkajs' idempotent producer serialises per broker). */
  readonly lanes: number;
  readonly maxBatchRecords: number;
  /** Extra wait before a batch goes out even when a producer is idle; 0 = next event-loop turn. */
  readonly lingerMs: number;
}

export class AppendTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Kafka did not acknowledge within ${timeoutMs} ms; the write may or may not be in the log`);
    this.name = 'AppendTimeoutError';
  }
}

interface Pending {
  readonly request: AppendRequest;
  readonly resolve: (position: LogPosition) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit for kv.log: a write is sent at once when a producer is idle (a lone write
 * pays one round trip), and the writes that arrive while every producer is busy go out
 * together in the next request, so throughput grows with concurrency without a fixed
 * linger delaying every write. Each record's offset is its partition's base offset plus
 * its place among that partition's records in the request (kafkajs keeps their order).
 */
export class LogAppender {
  private queue: Pending[] = [];
  private readonly busy: boolean[];
  private flushScheduled = false;
  private closed = false;
  /** Records per request sent, for the metrics and the benchmark. */
  readonly stats = { requests: 0, records: 0 };

  constructor(
    private readonly send: BatchSender,
    private readonly options: LogAppenderOptions,
  ) {
    this.busy = Array.from({ length: options.lanes }, () => false);
  }

  /** Resolves with the record's log position once Kafka has acknowledged it (acks=all). */
  append(request: AppendRequest, timeoutMs: number): Promise<LogPosition> {
    if (this.closed) return Promise.reject(new Error('the log appender is closed'));
    return new Promise<LogPosition>((resolve, reject) => {
      const timer = setTimeout(() => reject(new AppendTimeoutError(timeoutMs)), timeoutMs);
      this.queue.push({
        request,
        resolve: (position) => {
          clearTimeout(timer);
          resolve(position);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.scheduleFlush();
    });
  }

  /** Appends several records in one go; each gets its own position. */
  appendAll(requests: readonly AppendRequest[], timeoutMs: number): Promise<LogPosition[]> {
    return Promise.all(requests.map((request) => this.append(request, timeoutMs)));
  }

  close(): void {
    this.closed = true;
    const pending = this.queue;
    this.queue = [];
    for (const entry of pending) entry.reject(new Error('the log appender is closed'));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.busy.includes(false)) return;
    this.flushScheduled = true;
    const flush = (): void => {
      this.flushScheduled = false;
      this.flush();
    };
    if (this.options.lingerMs > 0) setTimeout(flush, this.options.lingerMs);
    else setImmediate(flush);
  }

  private flush(): void {
    for (let lane = 0; lane < this.busy.length && this.queue.length > 0; lane += 1) {
      if (this.busy[lane]) continue;
      const batch = this.queue.splice(0, this.options.maxBatchRecords);
      this.busy[lane] = true;
      void this.sendBatch(lane, batch).finally(() => {
        this.busy[lane] = false;
        if (this.queue.length > 0) this.flush();
      });
    }
  }

  private async sendBatch(lane: number, batch: readonly Pending[]): Promise<void> {
    this.stats.requests += 1;
    this.stats.records += batch.length;
    let acknowledged: readonly { partition: number; baseOffset: string }[];
    try {
      acknowledged = await this.send(
        lane,
        batch.map((entry) => entry.request),
      );
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const entry of batch) entry.reject(failure);
      return;
    }
    const next = new Map<number, bigint>();
    for (const { partition, baseOffset } of acknowledged) next.set(partition, BigInt(baseOffset));
    for (const entry of batch) {
      const offset = next.get(entry.request.partition);
      if (offset === undefined) {
        entry.reject(new Error(`Kafka acknowledged no offset for partition ${entry.request.partition}`));
        continue;
      }
      next.set(entry.request.partition, offset + 1n);
      entry.resolve({ partition: entry.request.partition, offset });
    }
  }
}
