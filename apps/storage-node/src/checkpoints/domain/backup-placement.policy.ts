import { createHash } from 'node:crypto';

/** A storage-node that may hold checkpoint chunks; weight ∝ the free capacity it offers. */
export interface BackupCandidate {
  readonly nodeId: string;
  readonly weight: number;
}

export interface BackupPlacementOptions {
  /** Nodes holding a replica of the shard: a backup there would die with the data it backs up. */
  readonly shardReplicaNodeIds: Iterable<string>;
  /** Copies per chunk, each on a distinct node. */
  readonly copies?: number;
}

export type BackupSelection =
  | { readonly ok: true; readonly nodeIds: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: 'not-enough-candidates';
      readonly eligible: number;
      readonly required: number;
    };

export const DEFAULT_BACKUP_COPIES = 2;

/**
 * Weighted rendezvous (highest random weight) score of a node for a chunk:
 * weight / −ln(u), u uniform in (0, 1) from SHA-256(chunk hash, node id). A node's chance
 * of ranking first is proportional to its weight, and since a pair's score ignores every
 * other node, a node joining or leaving only moves the chunks it wins or held.
 */
export function rendezvousScore(chunkHash: string, nodeId: string, weight: number): number {
  const digest = createHash('sha256').update(chunkHash).update('\u0000').update(nodeId).digest();
  // 53 bits, offset by half a step so u is never 0 or 1.
  const unit = (Number(digest.readBigUInt64BE(0) >> 11n) + 0.5) / 2 ** 53;
  return weight / -Math.log(unit);
}

/** The `copies` best-ranked eligible nodes for a chunk, best first. */
export function selectBackupNodes(
  chunkHash: string,
  candidates: readonly BackupCandidate[],
  options: BackupPlacementOptions,
): BackupSelection {
  const eligible = eligibleCandidates(candidates, options);
  return selectAmong(chunkHash, eligible, copiesOf(options));
}

export type BackupPlan =
  | { readonly ok: true; readonly assignments: ReadonlyMap<string, readonly string[]> }
  | {
      readonly ok: false;
      readonly reason: 'not-enough-candidates';
      readonly eligible: number;
      readonly required: number;
    };

/** Places every chunk of a checkpoint; repeated hashes are placed once. */
export function planBackupPlacement(
  chunkHashes: Iterable<string>,
  candidates: readonly BackupCandidate[],
  options: BackupPlacementOptions,
): BackupPlan {
  const eligible = eligibleCandidates(candidates, options);
  const copies = copiesOf(options);
  const assignments = new Map<string, readonly string[]>();
  for (const hash of chunkHashes) {
    if (assignments.has(hash)) continue;
    const selection = selectAmong(hash, eligible, copies);
    if (!selection.ok) return selection;
    assignments.set(hash, selection.nodeIds);
  }
  return { ok: true, assignments };
}

function selectAmong(
  chunkHash: string,
  eligible: readonly BackupCandidate[],
  copies: number,
): BackupSelection {
  if (eligible.length < copies) {
    return { ok: false, reason: 'not-enough-candidates', eligible: eligible.length, required: copies };
  }
  const ranked = eligible
    .map((candidate) => ({
      nodeId: candidate.nodeId,
      score: rendezvousScore(chunkHash, candidate.nodeId, candidate.weight),
    }))
    .sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  return { ok: true, nodeIds: ranked.slice(0, copies).map((entry) => entry.nodeId) };
}

function eligibleCandidates(
  candidates: readonly BackupCandidate[],
  options: BackupPlacementOptions,
): BackupCandidate[] {
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate.nodeId)) throw new RangeError(`node ${candidate.nodeId} is listed twice`);
    if (!Number.isFinite(candidate.weight) || candidate.weight < 0) {
      throw new RangeError(`node ${candidate.nodeId} has invalid weight ${candidate.weight}`);
    }
    seen.add(candidate.nodeId);
  }
  const replicas = new Set(options.shardReplicaNodeIds);
  return candidates.filter((candidate) => candidate.weight > 0 && !replicas.has(candidate.nodeId));
}

function copiesOf(options: BackupPlacementOptions): number {
  const copies = options.copies ?? DEFAULT_BACKUP_COPIES;
  if (!Number.isInteger(copies) || copies < 1)
    throw new RangeError(`copies must be a positive integer, got ${copies}`);
  return copies;
}
