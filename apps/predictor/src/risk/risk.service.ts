import { Inject, Injectable } from '@nestjs/common';
import type { NodeRiskV1, RecoveryProfileV1 } from '@shardcast/contracts';
import { JsonLogger, KafkaGateway } from '@shardcast/platform';
import { PREDICTOR_CONFIG } from '../config/predictor-config.module.js';
import type { PredictorConfig } from '../config/predictor.config.js';
import type { PlacementRow, ShardHeatRow } from '../history/history.repository.js';
import { HistoryRepository } from '../history/history.repository.js';
import type { ServingVersion } from '../models/serving-models.service.js';
import { ServingModels } from '../models/serving-models.service.js';
import type { GroupRisk, ShardOnNode } from './domain/index.js';
import {
  aggregateRiskByLabel,
  assessNode,
  detectEarlyWarnings,
  rankRecoveryProfile,
  samplesFromAggregates,
  warningRiskScore,
} from './domain/index.js';
import { healthBucketMs } from './health-resolution.js';
import type { StoredNodeRisk, StoredRecoveryProfile } from './risk.repository.js';
import { RiskRepository } from './risk.repository.js';

/**
 * Named in node-risk events so consumers can tell the label-free score from a calibrated
 * probability, which carries its classifier's own name (failure-logistic, failure-tfjs-…).
 */
export const WARNING_SCORE_MODEL = { name: 'early-warning-score', version: '1' } as const;

export interface NodeRiskOverview {
  /** Each node's latest risk; `down` while it is known to have failed or left (its risk is then stale). */
  nodes: (StoredNodeRisk & { down: boolean })[];
  byZone: GroupRisk[];
  byRegion: GroupRisk[];
}

/**
 * Each pass: every node that reported within the risk window gets a failure probability
 * (the serving version's calibrated classifier once failures have been recorded to train it,
 * the early-warning score before) and its early warnings, published on `node-risk`; then
 * every node holding shards gets its recovery profile on `recovery-profile`.
 */
@Injectable()
export class RiskService {
  constructor(
    @Inject(HistoryRepository) private readonly history: HistoryRepository,
    @Inject(RiskRepository) private readonly risks: RiskRepository,
    @Inject(ServingModels) private readonly serving: ServingModels,
    @Inject(KafkaGateway) private readonly kafka: KafkaGateway,
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {}

  async runPass(nowMs: number): Promise<{ nodes: number; profiles: number }> {
    await this.serving.refresh();
    return this.serving.withServing(async (serving) => {
      const risks = await this.assessNodes(nowMs, serving);
      await this.kafka.publishAll(
        'nodeRisk',
        risks.map((r) => r.event),
      );
      await this.risks.saveNodeRisks(risks);
      const profiles = await this.recoveryProfiles(nowMs, risks);
      await this.kafka.publishAll(
        'recoveryProfile',
        profiles.map((p) => p.event),
      );
      await this.risks.saveRecoveryProfiles(profiles);
      return { nodes: risks.length, profiles: profiles.length };
    });
  }

  async overview(): Promise<NodeRiskOverview> {
    const down = new Set(
      (await this.history.nodes()).filter((n) => n.downSinceMs !== null).map((n) => n.nodeId),
    );
    const nodes = (await this.risks.nodeRisks()).map((r) => ({ ...r, down: down.has(r.event.nodeId) }));
    const labelled = nodes.map(({ event }) => ({
      nodeId: event.nodeId,
      probability: event.probability,
      labels: {
        ...(event.zone ? { zone: event.zone } : {}),
        ...(event.region ? { region: event.region } : {}),
      },
    }));
    return {
      nodes,
      byZone: aggregateRiskByLabel(labelled, 'zone'),
      byRegion: aggregateRiskByLabel(labelled, 'region'),
    };
  }

  recoveryProfile(nodeId: string): Promise<StoredRecoveryProfile | undefined> {
    return this.risks.recoveryProfile(nodeId);
  }

  private async assessNodes(nowMs: number, serving: ServingVersion | undefined): Promise<StoredNodeRisk[]> {
    const bucketMs = healthBucketMs(this.config);
    // Complete buckets only: the current one would look like missed heartbeats.
    const endMs = Math.floor(nowMs / bucketMs) * bucketMs;
    const fromMs = endMs - this.config.RISK_WINDOW_MS;
    const nodes = (await this.history.nodes()).filter(
      (n) => n.lastSampleMs !== null && n.lastSampleMs >= fromMs && n.downSinceMs === null,
    );
    if (nodes.length === 0) return [];
    const aggregates = await this.history.healthAggregates(fromMs, endMs, bucketMs);
    const classifier = serving?.failureClassifier;
    const risks: StoredNodeRisk[] = [];
    for (const node of nodes) {
      const rows = aggregates.get(node.nodeId);
      if (!rows || rows.length === 0) continue;
      const samples = samplesFromAggregates(rows, bucketMs, this.config.HEALTH_SAMPLE_INTERVAL_MS);
      const warnings = detectEarlyWarnings(samples);
      const calibrated = classifier && serving ? assessNode(classifier, samples, endMs) : null;
      const event: NodeRiskV1 = {
        eventId: `node-risk:${node.nodeId}:${nowMs}`,
        nodeId: node.nodeId,
        ...(node.zone ? { zone: node.zone } : {}),
        ...(node.region ? { region: node.region } : {}),
        probability: calibrated ?? warningRiskScore(warnings),
        horizonMs: classifier?.horizonMs ?? this.config.RISK_HORIZON_MS,
        warnings: warnings.map((w) => ({
          kind: w.kind,
          feature: w.feature,
          value: w.value,
          precursors: w.precursors.map((p) => p.feature),
        })),
        model:
          calibrated !== null && serving && classifier
            ? { name: classifier.name, version: String(serving.version) }
            : WARNING_SCORE_MODEL,
        producedAtMs: nowMs,
      };
      risks.push({
        event,
        detail: {
          healthBuckets: samples.length,
          bucketMs,
          calibrated: calibrated !== null,
          warnings: warnings.map((w) => ({
            kind: w.kind,
            feature: w.feature,
            reason: w.reason,
            value: w.value,
            baseline: w.baseline,
            shiftSigmas: w.shiftSigmas,
            slopePerHour: w.slopePerHour,
            alsoRaised: w.alsoRaised,
            precursors: w.precursors,
          })),
        },
      });
    }
    return risks;
  }

  /** For every node holding active shards: what its recovery would need first, weighted by its risk. */
  private async recoveryProfiles(
    nowMs: number,
    fresh: readonly StoredNodeRisk[],
  ): Promise<StoredRecoveryProfile[]> {
    const placements = await this.history.placements();
    if (placements.length === 0) return [];
    const heat = await this.history.shardHeat();
    const down = new Set(
      (await this.history.nodes()).filter((n) => n.downSinceMs !== null).map((n) => n.nodeId),
    );
    const latest = new Map((await this.risks.nodeRisks()).map((r) => [r.event.nodeId, r.event.probability]));
    for (const r of fresh) latest.set(r.event.nodeId, r.event.probability);
    const shardsByNode = shardsPerNode(placements);
    const profiles: StoredRecoveryProfile[] = [];
    for (const [nodeId, shardIds] of shardsByNode) {
      // A failed node is certain to need its recovery: that is when its profile matters most.
      const risk = down.has(nodeId) ? 1 : (latest.get(nodeId) ?? 0);
      const entries = rankRecoveryProfile(
        risk,
        shardIds.map((id) => shardOnNode(id, heat.get(id))),
        nowMs,
      );
      const event: RecoveryProfileV1 = {
        eventId: `recovery-profile:${nodeId}:${nowMs}`,
        nodeId,
        risk,
        shards: entries.map((e) => ({
          shardId: e.shardId,
          score: e.score,
          hotKeys: (heat.get(e.shardId)?.topKeys ?? []).map((k) => k.key).slice(0, 100),
        })),
        producedAtMs: nowMs,
      };
      profiles.push({ event, entries });
    }
    if (profiles.length > 0)
      this.logger.event('debug', 'recovery profiles computed', { nodes: profiles.length }, 'Risk');
    return profiles;
  }
}

function shardsPerNode(placements: readonly PlacementRow[]): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const p of placements) {
    if (p.status !== 'active') continue;
    for (const replica of p.replicas)
      byNode.set(replica.nodeId, [...(byNode.get(replica.nodeId) ?? []), p.shardId]);
  }
  return byNode;
}

/**
 * A shard as the recovery ranking sees it: long-run heat from the profiler's decayed rates,
 * recent heat from its last interval's counts. Heat events carry no shard size, so sizes
 * are unknown (0) and the ranking orders by heat alone.
 */
function shardOnNode(shardId: string, heat: ShardHeatRow | undefined): ShardOnNode {
  return {
    shardId,
    heat: heat ? heat.readRate + heat.writeRate : 0,
    recentHeat: heat?.recentPerSecond ?? 0,
    sizeBytes: 0,
    lastAccessMs: heat?.lastAccessMs ?? heat?.intervalStartMs ?? 0,
  };
}
