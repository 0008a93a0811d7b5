import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ApiError } from '@shardcast/platform';
import { ShardMapService } from '../shard-map/shard-map.service.js';
import { SettingsService } from '../settings/settings.service.js';
import {
  HeatMap,
  classifyHeat,
  heatMapWithHalfLife,
  type HashRange,
  type ShardHeat,
} from './domain/index.js';
import type { HeatmapQuery, HeatmapResponse, ShardHeatView, ShardProfile } from './heat-api.schemas.js';
import { HeatRepository } from './heat.repository.js';
import { HeatService } from './heat.service.js';

interface HeldHeat {
  heat: ShardHeat;
  partition: number;
  source: 'live' | 'checkpoint';
  asOfMs: number;
}

const RATE_FIELDS = new Set(['opsRate', 'readRate', 'writeRate', 'bytesRate']);
const TOP_KEYS_IN_MAP = 5;

/**
 * Reads for the admin API. Any instance answers for every shard: the partitions it owns from memory,
 * the others from their owners' last checkpoint (at most one flush old), so the heat map looks the
 * same whichever instance is asked and however many there are.
 */
@Injectable()
export class HeatQueryService {
  constructor(
    @Inject(HeatService) private readonly heatService: HeatService,
    @Inject(HeatRepository) private readonly repository: HeatRepository,
    @Inject(ShardMapService) private readonly shardMap: ShardMapService,
    @Inject(SettingsService) private readonly settings: SettingsService,
  ) {}

  async heatmap(query: HeatmapQuery): Promise<HeatmapResponse> {
    const nowMs = Date.now();
    const held = await this.heldHeat();
    const shardIds = new Set(this.shardMap.map.active().map((r) => r.shardId));
    for (const [shardId] of held)
      if (this.shardMap.map.get(shardId)?.status !== 'retired') shardIds.add(shardId);
    let shards = [...shardIds].map((shardId) =>
      this.view(shardId, held.get(shardId), nowMs, TOP_KEYS_IN_MAP),
    );
    if (query.class) {
      const classes = new Set(query.class);
      shards = shards.filter((shard) => classes.has(shard.class));
    }
    shards.sort(comparator(query.sort, query.order ?? (RATE_FIELDS.has(query.sort) ? 'desc' : 'asc')));
    if (query.limit !== undefined) shards = shards.slice(0, query.limit);
    const { settings } = this.settings.settings;
    return {
      atMs: nowMs,
      halfLifeMs: settings.halfLifeMs,
      intervalMs: settings.intervalMs,
      count: shards.length,
      shards,
    };
  }

  async profile(shardId: string, intervals: number): Promise<ShardProfile> {
    const nowMs = Date.now();
    const held = (await this.heldHeat()).get(shardId);
    const record = this.shardMap.map.get(shardId);
    if (!held && !record) {
      throw new ApiError(
        HttpStatus.NOT_FOUND,
        'not_found',
        `shard ${shardId} is not in the shard map and has no heat`,
      );
    }
    const view = this.view(shardId, held, nowMs, Number.POSITIVE_INFINITY);
    const series = await this.repository.series(shardId, intervals);
    return {
      ...view,
      status: record?.status ?? 'untracked',
      histogram: (held?.heat.histogramAt(nowMs) ?? []).map((b) => ({
        lo: b.lo.toString(),
        hi: b.hi.toString(),
        weight: b.weight,
      })),
      series: series.map((row) => ({
        intervalStartMs: row.intervalStartMs,
        intervalMs: row.intervalMs,
        reads: row.reads,
        writes: row.writes,
        readBytes: row.readBytes,
        writeBytes: row.writeBytes,
        readRate: row.readRate,
        writeRate: row.writeRate,
        bytesRate: row.bytesRate,
        class: row.heatClass,
        splitPoint: row.splitPoint,
      })),
    };
  }

  /** Every shard's heat: owned partitions live, the rest from Postgres. */
  private async heldHeat(): Promise<Map<string, HeldHeat>> {
    const held = new Map<string, HeldHeat>();
    const live = this.heatService.ownedLanes();
    const livePartitions = new Set(live.map((lane) => lane.partition));
    const config = this.heatService.heatConfig();
    for (const row of await this.repository.loadAllStates()) {
      if (livePartitions.has(row.partition)) continue;
      const map = HeatMap.fromState(heatMapWithHalfLife(row.state.heat, config.halfLifeMs), config);
      for (const shardId of map.shardIds()) {
        const previous = held.get(shardId);
        if (previous && previous.asOfMs >= row.updatedAtMs) continue;
        held.set(shardId, {
          heat: map.get(shardId)!,
          partition: row.partition,
          source: 'checkpoint',
          asOfMs: row.updatedAtMs,
        });
      }
    }
    const nowMs = Date.now();
    for (const lane of live) {
      for (const shardId of lane.heat.shardIds()) {
        held.set(shardId, {
          heat: lane.heat.shard(shardId)!,
          partition: lane.partition,
          source: 'live',
          asOfMs: nowMs,
        });
      }
    }
    return held;
  }

  private view(shardId: string, held: HeldHeat | undefined, nowMs: number, topKeys: number): ShardHeatView {
    const record = this.shardMap.map.get(shardId);
    const range: HashRange = held?.heat.range ?? record!.range;
    const epoch = record?.epoch ?? null;
    if (!held) {
      const { thresholds } = this.settings.settings.settings;
      return {
        shardId,
        range: { lo: range.lo.toString(), hi: range.hi.toString() },
        epoch,
        partition: null,
        readRate: 0,
        writeRate: 0,
        opsRate: 0,
        bytesRate: 0,
        class: classifyHeat(0, null, thresholds),
        splitPoint: null,
        topKeys: [],
        lastAccessMs: null,
        source: 'none',
        asOfMs: nowMs,
      };
    }
    const snapshot = held.heat.preview(nowMs);
    return {
      shardId,
      range: { lo: range.lo.toString(), hi: range.hi.toString() },
      epoch,
      partition: held.partition,
      readRate: snapshot.readRate,
      writeRate: snapshot.writeRate,
      opsRate: snapshot.opsRate,
      bytesRate: snapshot.bytesRate,
      class: snapshot.heatClass,
      splitPoint: snapshot.splitPoint === null ? null : snapshot.splitPoint.toString(),
      topKeys: snapshot.topKeys.slice(0, topKeys),
      lastAccessMs: held.heat.lastObservedMs,
      source: held.heat.lastObservedMs === null ? 'none' : held.source,
      asOfMs: held.asOfMs,
    };
  }
}

function comparator(
  field: HeatmapQuery['sort'],
  order: 'asc' | 'desc',
): (a: ShardHeatView, b: ShardHeatView) => number {
  const sign = order === 'asc' ? 1 : -1;
  const byId = (a: ShardHeatView, b: ShardHeatView): number =>
    a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
  return (a, b) => {
    let primary: number;
    if (field === 'shardId') primary = byId(a, b);
    else if (field === 'range') {
      const x = BigInt(a.range.lo);
      const y = BigInt(b.range.lo);
      primary = x < y ? -1 : x > y ? 1 : 0;
    } else primary = a[field] - b[field];
    return sign * primary || byId(a, b);
  };
}
