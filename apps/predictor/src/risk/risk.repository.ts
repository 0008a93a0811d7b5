import { Inject, Injectable } from '@nestjs/common';
import type { NodeRiskV1, RecoveryProfileV1 } from '@shardcast/contracts';
import { DataSource } from 'typeorm';
import type { RecoveryProfileEntry } from './domain/index.js';

export interface StoredNodeRisk {
  event: NodeRiskV1;
  /** What the event has no room for: each warning's evidence and the score's source. */
  detail: Record<string, unknown>;
}

export interface StoredRecoveryProfile {
  event: RecoveryProfileV1;
  entries: RecoveryProfileEntry[];
}

/** The latest risk and recovery profile of each node, as published, for the admin API. */
@Injectable()
export class RiskRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async saveNodeRisks(risks: readonly StoredNodeRisk[]): Promise<void> {
    if (risks.length === 0) return;
    await this.db.query(
      `INSERT INTO node_risk (node_id, event, detail, produced_at_ms)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::jsonb[], $4::bigint[])
       ON CONFLICT (node_id) DO UPDATE SET event = EXCLUDED.event, detail = EXCLUDED.detail,
         produced_at_ms = EXCLUDED.produced_at_ms`,
      [
        risks.map((r) => r.event.nodeId),
        risks.map((r) => JSON.stringify(r.event)),
        risks.map((r) => JSON.stringify(r.detail)),
        risks.map((r) => r.event.producedAtMs),
      ],
    );
  }

  async nodeRisks(): Promise<StoredNodeRisk[]> {
    const rows: StoredNodeRisk[] = await this.db.query(
      'SELECT event, detail FROM node_risk ORDER BY node_id',
    );
    return rows;
  }

  async saveRecoveryProfiles(profiles: readonly StoredRecoveryProfile[]): Promise<void> {
    if (profiles.length === 0) return;
    await this.db.query(
      `INSERT INTO recovery_profile (node_id, event, entries, produced_at_ms)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::jsonb[], $4::bigint[])
       ON CONFLICT (node_id) DO UPDATE SET event = EXCLUDED.event, entries = EXCLUDED.entries,
         produced_at_ms = EXCLUDED.produced_at_ms`,
      [
        profiles.map((p) => p.event.nodeId),
        profiles.map((p) => JSON.stringify(p.event)),
        profiles.map((p) => JSON.stringify(p.entries)),
        profiles.map((p) => p.event.producedAtMs),
      ],
    );
  }

  async recoveryProfile(nodeId: string): Promise<StoredRecoveryProfile | undefined> {
    const rows: StoredRecoveryProfile[] = await this.db.query(
      'SELECT event, entries FROM recovery_profile WHERE node_id = $1',
      [nodeId],
    );
    return rows[0];
  }
}
