import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CheckpointManifest, parseManifest } from './domain/index.js';

/** A checkpoint as the catalog keeps it: the manifest and, per chunk hash, the nodes holding a copy. */
export interface CatalogCheckpoint {
  readonly manifest: CheckpointManifest;
  readonly locations: Readonly<Record<string, readonly string[]>>;
  readonly nodeId: string;
}

@Injectable()
export class CheckpointCatalogRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async insert(checkpoint: CatalogCheckpoint): Promise<void> {
    const { manifest } = checkpoint;
    await this.dataSource.query(
      `INSERT INTO checkpoint (checkpoint_id, shard_id, node_id, created_at_ms, tier, kind, content_hash, manifest, locations)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        manifest.checkpointId,
        manifest.shardId,
        checkpoint.nodeId,
        manifest.createdAtMs,
        manifest.tier,
        manifest.kind,
        manifest.contentHash,
        JSON.stringify(manifest),
        JSON.stringify(checkpoint.locations),
      ],
    );
  }

  async find(checkpointId: string): Promise<CatalogCheckpoint | undefined> {
    const rows: { manifest: unknown; locations: Record<string, string[]>; node_id: string }[] =
      await this.dataSource.query(
        'SELECT manifest, locations, node_id FROM checkpoint WHERE checkpoint_id = $1',
        [checkpointId],
      );
    const row = rows[0];
    if (row === undefined) return undefined;
    // The manifest is checked again on the way out: its hash covers every field.
    const parsed = parseManifest(row.manifest);
    if (!parsed.ok)
      throw new Error(`catalog entry ${checkpointId} holds an invalid manifest: ${parsed.reason}`);
    return { manifest: parsed.value, locations: row.locations, nodeId: row.node_id };
  }

  async listForShard(
    shardId: string,
    limit = 20,
  ): Promise<
    { checkpointId: string; createdAtMs: number; tier: string; kind: string; contentHash: string }[]
  > {
    const rows: {
      checkpoint_id: string;
      created_at_ms: string;
      tier: string;
      kind: string;
      content_hash: string;
    }[] = await this.dataSource.query(
      'SELECT checkpoint_id, created_at_ms, tier, kind, content_hash FROM checkpoint WHERE shard_id = $1 ORDER BY created_at_ms DESC LIMIT $2',
      [shardId, limit],
    );
    return rows.map((row) => ({
      checkpointId: row.checkpoint_id,
      createdAtMs: Number(row.created_at_ms),
      tier: row.tier,
      kind: row.kind,
      contentHash: row.content_hash,
    }));
  }
}
