import { describe, expect, it } from 'vitest';
import { type AppendRequest, AppendTimeoutError, type BatchSender, LogAppender } from './log-appender.js';

const request = (partition: number, key: string): AppendRequest => ({
  partition,
  key: Buffer.from(key),
  value: Buffer.from('v'),
  headers: {},
});

/** A broker stand-in: numbers records per partition, acknowledges when told to. */
function fakeBroker(): { send: BatchSender; batches: AppendRequest[][]; release: () => void } {
  const next = new Map<number, number>();
  const batches: AppendRequest[][] = [];
  const waiting: (() => void)[] = [];
  const send: BatchSender = async (_lane, records) => {
    batches.push([...records]);
    await new Promise<void>((resolve) => waiting.push(resolve));
    const base = new Map<number, number>();
    for (const record of records) {
      if (!base.has(record.partition)) base.set(record.partition, next.get(record.partition) ?? 0);
      next.set(record.partition, (next.get(record.partition) ?? 0) + 1);
    }
    return [...base].map(([partition, offset]) => ({ partition, baseOffset: String(offset) }));
  };
  return { send, batches, release: () => waiting.splice(0).forEach((resolve) => resolve()) };
}

describe('LogAppender (group commit)', () => {
  it('sends a lone write at once, groups the writes that arrive while the producer is busy, and gives each its offset', async () => {
    const broker = fakeBroker();
    const appender = new LogAppender(broker.send, { lanes: 1, maxBatchRecords: 100, lingerMs: 0 });
    const first = appender.append(request(0, 'a'), 1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(broker.batches).toHaveLength(1);
    const rest = [
      appender.append(request(0, 'b'), 1_000),
      appender.append(request(1, 'c'), 1_000),
      appender.append(request(0, 'd'), 1_000),
    ];
    broker.release();
    expect(await first).toEqual({ partition: 0, offset: 0n });
    await new Promise((resolve) => setImmediate(resolve));
    expect(broker.batches).toHaveLength(2);
    expect(broker.batches[1]!.map((record) => record.key.toString())).toEqual(['b', 'c', 'd']);
    broker.release();
    expect(await Promise.all(rest)).toEqual([
      { partition: 0, offset: 1n },
      { partition: 1, offset: 0n },
      { partition: 0, offset: 2n },
    ]);
    expect(appender.stats).toEqual({ requests: 2, records: 4 });
  });

  it('caps a batch, uses every lane, and fails a write Kafka does not acknowledge in time', async () => {
    const broker = fakeBroker();
    const appender = new LogAppender(broker.send, { lanes: 2, maxBatchRecords: 2, lingerMs: 0 });
    const writes = ['a', 'b', 'c', 'd', 'e'].map((key) =>
      appender.append(request(0, key), 50).catch((error: unknown) => error),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(broker.batches.map((batch) => batch.length)).toEqual([2, 2]);
    expect(await writes[4]).toBeInstanceOf(AppendTimeoutError);
    broker.release();
    await Promise.all(writes);
    appender.close();
    await expect(appender.append(request(0, 'z'), 10)).rejects.toThrow(/closed/);
  });

  it('rejects every write of a batch the producer failed to send', async () => {
    const appender = new LogAppender(async () => Promise.reject(new Error('broker down')), {
      lanes: 1,
      maxBatchRecords: 10,
      lingerMs: 0,
    });
    await expect(appender.append(request(0, 'a'), 1_000)).rejects.toThrow('broker down');
  });
});
