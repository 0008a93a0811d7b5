import { describe, expect, it } from 'vitest';
import { accessSummaryV1, heatV1 } from '@shardcast/contracts';
import { domainSummary, heatEvent, summaryEvent } from './heat-events.js';

describe('wire events of the profiler', () => {
  const window = {
    shardId: 'shard-003',
    windowStartMs: 1_700_000_000_000,
    windowMs: 1000,
    reads: 9,
    writes: 1,
    readBytes: 90,
    writeBytes: 10,
    sampleHashes: [18_446_744_073_709_551_615n, 7n],
    topKeys: [{ key: 'k', count: 4 }],
  };

  it('makes contract-valid summaries whose id names where their accesses came from', () => {
    const event = summaryEvent(window, 5, 1234);
    expect(accessSummaryV1.parse(event)).toEqual(event);
    expect(event.eventId).toBe('profiler:5:1234:1700000000000:shard-003');
    expect(domainSummary(event).sampleHashes).toEqual(window.sampleHashes);
  });

  it('keeps the id within the contract’s length for a very long shard id', () => {
    const event = summaryEvent({ ...window, shardId: 's'.repeat(128) }, 5, 1234);
    expect(event.eventId.length).toBeLessThanOrEqual(128);
    expect(summaryEvent({ ...window, shardId: 's'.repeat(128) }, 5, 1234).eventId).toBe(event.eventId);
  });

  it('makes contract-valid heat events, hot keys in accesses per interval', () => {
    const event = heatEvent(
      {
        shardId: 'shard-003',
        range: { lo: 0n, hi: 1n << 64n },
        atMs: 1_700_000_010_000,
        readRate: 2,
        writeRate: 1,
        opsRate: 3,
        bytesRate: 30,
        heatClass: 'warm',
        splitPoint: 1n << 63n,
        topKeys: [{ key: 'k', rate: 0.5, errorRate: 0.1 }],
        intervalStartMs: 1_700_000_000_000,
        intervalMs: 10_000,
        counts: { reads: 20, writes: 10, readBytes: 200, writeBytes: 100 },
      },
      1_700_000_010_500,
    );
    expect(heatV1.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      eventId: 'heat:shard-003:1700000000000:10000',
      splitPoint: '9223372036854775808',
      counts: { bytes: 300 },
    });
    expect(event.topKeys[0]).toEqual({ key: 'k', count: 5, error: 1 });
  });
});
