import { createHash } from 'node:crypto';
import { type CheckpointManifest, verifyManifest } from './checkpoint-manifest.model.js';
import { decodeChunkBlob } from './chunk-blob.codec.js';
import { sha256Hex } from './content-address.model.js';
import {
  type ChunkCopyAttempt,
  type ChunkCopyProblem,
  ChunkUnrecoverableError,
  ContentHashMismatchError,
  ManifestRejectedError,
} from './restore.errors.js';

/** Fetches a chunk blob from a backup node; undefined when that node does not hold it. */
export type ChunkFetcher = (chunkHash: string, nodeId: string) => Promise<Buffer | undefined>;

export interface RestoreOptions {
  /** Chunk fetches in flight at once. */
  readonly parallelism: number;
  /** The nodes holding a chunk (from the checkpoint catalog), in the order to try them. */
  readonly locateChunk: (chunkHash: string, chunkIndex: number) => readonly string[];
  /** Verified chunks held ahead of the one being delivered; bounds memory. Default 2 × parallelism. */
  readonly readAhead?: number;
}

export interface StreamRestoreOptions extends RestoreOptions {
  /**
   * Receives the verified chunks in snapshot order. Until the restore resolves, what it
   * received is unconfirmed (the whole-content check comes last): write to staging.
   */
  readonly sink: (chunk: Buffer, chunkIndex: number) => void | Promise<void>;
}

/** A copy that failed while another copy of the same chunk was good: restored, but the backup needs repair. */
export interface RestoreWarning {
  readonly kind: 'chunk-copy-bad';
  readonly chunkHash: string;
  readonly chunkIndex: number;
  readonly nodeId: string;
  readonly problem: ChunkCopyProblem;
  readonly detail: string;
  readonly restoredFrom: string;
}

export interface RestoreReport {
  readonly chunks: number;
  /** Uncompressed bytes restored. */
  readonly bytes: number;
  /** Blob bytes received, including copies that were rejected. */
  readonly bytesFetched: number;
  readonly warnings: readonly RestoreWarning[];
}

type ChunkOutcome =
  | { readonly ok: true; readonly raw: Buffer; readonly fetched: number; readonly warnings: RestoreWarning[] }
  | { readonly ok: false; readonly error: unknown; readonly fetched: number };

/**
 * Restores a checkpoint's snapshot: fetches chunks in parallel (bounded), verifies each one
 * after decompression against its address, falls back to the next copy when one is missing
 * or corrupt, and finally checks the whole content against the manifest. Any failure is a
 * typed RestoreError; nothing unverified is reported as restored.
 */
export async function streamRestoreFromManifest(
  manifest: CheckpointManifest,
  fetchChunk: ChunkFetcher,
  options: StreamRestoreOptions,
): Promise<RestoreReport> {
  const verified = verifyManifest(manifest);
  if (!verified.ok) throw new ManifestRejectedError(verified.reason);
  const parallelism = positiveInteger(options.parallelism, 'parallelism');
  const readAhead = Math.max(parallelism, positiveInteger(options.readAhead ?? 2 * parallelism, 'readAhead'));

  const chunks = manifest.chunks;
  const started = new Map<number, Promise<ChunkOutcome>>();
  const warnings: RestoreWarning[] = [];
  const contentHash = createHash('sha256');
  let nextToStart = 0;
  let delivered = 0;
  let inFlight = 0;
  let stopped = false;
  let bytes = 0;
  let bytesFetched = 0;

  const startMore = (): void => {
    while (
      !stopped &&
      inFlight < parallelism &&
      nextToStart < chunks.length &&
      nextToStart < delivered + readAhead
    ) {
      const index = nextToStart;
      nextToStart += 1;
      inFlight += 1;
      const outcome = fetchVerifiedChunk(chunks[index]!, index, fetchChunk, options.locateChunk).finally(
        () => {
          inFlight -= 1;
          startMore();
        },
      );
      started.set(index, outcome);
    }
  };

  try {
    for (; delivered < chunks.length; delivered += 1) {
      startMore();
      const outcome = await started.get(delivered)!;
      started.delete(delivered);
      bytesFetched += outcome.fetched;
      if (!outcome.ok) throw outcome.error;
      warnings.push(...outcome.warnings);
      contentHash.update(outcome.raw);
      bytes += outcome.raw.length;
      await options.sink(outcome.raw, delivered);
    }
  } finally {
    // On failure, let the fetches already running settle rather than leave them dangling.
    stopped = true;
    await Promise.all(started.values());
  }

  const actual = contentHash.digest('hex');
  if (actual !== manifest.contentHash) throw new ContentHashMismatchError(manifest.contentHash, actual);
  return { chunks: chunks.length, bytes, bytesFetched, warnings };
}

/** streamRestoreFromManifest into one buffer, for snapshots that fit in memory. */
export async function restoreFromManifest(
  manifest: CheckpointManifest,
  fetchChunk: ChunkFetcher,
  options: RestoreOptions,
): Promise<RestoreReport & { readonly data: Buffer }> {
  const parts: Buffer[] = [];
  const report = await streamRestoreFromManifest(manifest, fetchChunk, {
    ...options,
    sink: (chunk) => {
      parts.push(chunk);
    },
  });
  return { ...report, data: Buffer.concat(parts) };
}

/** Never rejects: every failure becomes part of the outcome. */
async function fetchVerifiedChunk(
  chunk: CheckpointManifest['chunks'][number],
  index: number,
  fetchChunk: ChunkFetcher,
  locateChunk: RestoreOptions['locateChunk'],
): Promise<ChunkOutcome> {
  const attempts: ChunkCopyAttempt[] = [];
  let fetched = 0;
  let nodeIds: readonly string[];
  try {
    nodeIds = [...new Set(locateChunk(chunk.hash, index))];
  } catch (error) {
    // A failing catalog lookup is the caller's error, passed on as it is.
    return { ok: false, error, fetched: 0 };
  }
  for (const nodeId of nodeIds) {
    let blob: Buffer | undefined;
    try {
      blob = await fetchChunk(chunk.hash, nodeId);
    } catch (error) {
      attempts.push({
        nodeId,
        problem: 'fetch-failed',
        detail: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (blob === undefined) {
      attempts.push({ nodeId, problem: 'missing', detail: 'node does not hold the chunk' });
      continue;
    }
    fetched += blob.length;
    const decoded = decodeChunkBlob(blob, chunk.size);
    if (!decoded.ok) {
      attempts.push({ nodeId, problem: 'undecodable', detail: decoded.reason });
      continue;
    }
    const actual = sha256Hex(decoded.value);
    if (actual !== chunk.hash) {
      attempts.push({ nodeId, problem: 'hash-mismatch', detail: `content hashes to ${actual}` });
      continue;
    }
    const warnings = attempts.map((attempt): RestoreWarning => ({
      kind: 'chunk-copy-bad',
      chunkHash: chunk.hash,
      chunkIndex: index,
      ...attempt,
      restoredFrom: nodeId,
    }));
    return { ok: true, raw: decoded.value, fetched, warnings };
  }
  return { ok: false, error: new ChunkUnrecoverableError(chunk.hash, index, attempts), fetched };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
