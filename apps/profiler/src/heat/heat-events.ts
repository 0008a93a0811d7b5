import { createHash } from 'node:crypto';
import type { AccessSummaryV1, HeatV1 } from '@shardcast/contracts';
import type { WindowSummary } from '../access/domain/access-aggregator.js';
import type { AccessSummary, IntervalHeatReport } from './domain/index.js';
import type { SeriesRow } from './heat.repository.js';

/** The node name the profiler signs its own summaries with, telling them apart from storage-nodes'. */
export const PROFILER_NODE = 'profiler';

const MAX_EVENT_ID = 128;

/**
 * A stage-1 summary on the wire. Its id names where its accesses came from (source partition and the
 * first offset of the flush), so it is the same if the same flush is ever sent again.
 */
export function summaryEvent(
  summary: WindowSummary,
  sourcePartition: number,
  firstOffset: number,
): AccessSummaryV1 {
  let eventId = `${PROFILER_NODE}:${sourcePartition}:${firstOffset}:${summary.windowStartMs}:${summary.shardId}`;
  if (eventId.length > MAX_EVENT_ID)
    eventId = `${PROFILER_NODE}:${createHash('sha256').update(eventId).digest('hex')}`;
  return {
    kind: 'summary',
    eventId,
    node: PROFILER_NODE,
    shardId: summary.shardId,
    windowStartMs: summary.windowStartMs,
    windowMs: summary.windowMs,
    reads: summary.reads,
    writes: summary.writes,
    readBytes: summary.readBytes,
    writeBytes: summary.writeBytes,
    sampleHashes: summary.sampleHashes.map((hash) => hash.toString()),
    topKeys: summary.topKeys,
  };
}

export function domainSummary(event: AccessSummaryV1): AccessSummary {
  return {
    eventId: event.eventId,
    shardId: event.shardId,
    windowStartMs: event.windowStartMs,
    windowMs: event.windowMs,
    reads: event.reads,
    writes: event.writes,
    readBytes: event.readBytes,
    writeBytes: event.writeBytes,
    sampleHashes: event.sampleHashes.map((hash) => BigInt(hash)),
    topKeys: event.topKeys,
  };
}

/**
 * A closed interval's heat on the wire. Hot-key `count`/`error` are the key's decayed rate over one
 * interval (rate × interval length), the same unit as `counts`.
 */
export function heatEvent(report: IntervalHeatReport, producedAtMs: number): HeatV1 {
  const perInterval = report.intervalMs / 1000;
  return {
    eventId: `heat:${report.shardId}:${report.intervalStartMs}:${report.intervalMs}`,
    shardId: report.shardId,
    range: { lo: report.range.lo.toString(), hi: report.range.hi.toString() },
    intervalStartMs: report.intervalStartMs,
    intervalMs: report.intervalMs,
    readRate: report.readRate,
    writeRate: report.writeRate,
    bytesRate: report.bytesRate,
    class: report.heatClass,
    splitPoint: report.splitPoint === null ? null : report.splitPoint.toString(),
    counts: {
      reads: report.counts.reads,
      writes: report.counts.writes,
      bytes: report.counts.readBytes + report.counts.writeBytes,
    },
    topKeys: report.topKeys.slice(0, 100).map((key) => ({
      key: key.key,
      count: key.rate * perInterval,
      error: key.errorRate * perInterval,
    })),
    producedAtMs,
  };
}

export function seriesRow(report: IntervalHeatReport): SeriesRow {
  return {
    shardId: report.shardId,
    intervalStartMs: report.intervalStartMs,
    intervalMs: report.intervalMs,
    reads: report.counts.reads,
    writes: report.counts.writes,
    readBytes: report.counts.readBytes,
    writeBytes: report.counts.writeBytes,
    readRate: report.readRate,
    writeRate: report.writeRate,
    bytesRate: report.bytesRate,
    heatClass: report.heatClass,
    splitPoint: report.splitPoint === null ? null : report.splitPoint.toString(),
  };
}
