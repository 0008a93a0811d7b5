import { describe, expect, it } from 'vitest';
import { encodeStoredKey, encodeStoredValue } from '../../kv/domain/index.js';
import { planBackupPlacement } from './backup-placement.policy.js';
import { buildManifest, type CheckpointManifest, verifyManifest } from './checkpoint-manifest.model.js';
import { type ChunkFetcher, restoreFromManifest, streamRestoreFromManifest } from './checkpoint.restorer.js';
import { type ChunkCompression } from './chunk-blob.codec.js';
import { EMPTY_CONTENT_HASH, sha256Hex } from './content-address.model.js';
import { InMemoryChunkStore } from './in-memory-chunk-store.js';
import { contentHasher } from './replica-content.hasher.js';
import {
  ChunkUnrecoverableError,
  ContentHashMismatchError,
  ManifestRejectedError,
} from './restore.errors.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotEntry } from './snapshot.codec.js';
import { packSnapshot } from './snapshot.packer.js';

const chunking = { minSize: 512, avgSize: 2048, maxSize: 8192 };
const nodeIds = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e'];
const replicaNodeIds = ['node-a'];

function shardEntries(count: number): SnapshotEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    key: encodeStoredKey(BigInt(index) * 1_000_003n, Buffer.from(`user:${index}`)),
    value: encodeStoredValue({
      value: Buffer.from(
        JSON.stringify({ id: index, name: `name-${index % 97}`, visits: (index * 31) % 1000 }),
      ),
      version: { partition: 1, offset: BigInt(index) },
      tombstone: false,
    }),
  }));
}

/** A checkpoint written the way a storage-node writes one: packed, placed on two backup nodes each, listed. */
function checkpointOf(entries: SnapshotEntry[], compression: ChunkCompression = { codec: 'brotli' }) {
  const snapshot = Buffer.concat([...encodeSnapshot(entries)]);
  const { chunks, summary } = packSnapshot(snapshot, { chunking, compression });
  const plan = planBackupPlacement(
    chunks.map((chunk) => chunk.hash),
    nodeIds.map((nodeId) => ({ nodeId, weight: 1 })),
    { shardReplicaNodeIds: replicaNodeIds },
  );
  if (!plan.ok) throw new Error(plan.reason);
  const stores = new Map(nodeIds.map((nodeId) => [nodeId, new InMemoryChunkStore()]));
  for (const chunk of chunks) {
    for (const nodeId of plan.assignments.get(chunk.hash)!)
      void stores.get(nodeId)!.put(chunk.hash, chunk.blob);
  }
  const manifest = buildManifest({
    checkpointId: 'ckpt-1',
    shardId: 'shard-1',
    range: { lo: 0n, hi: 1n << 64n },
    appliedOffsets: entries.length === 0 ? new Map() : new Map([[1, BigInt(entries.length - 1)]]),
    createdAtMs: 1_000,
    tier: 'fast',
    kind: 'fast-restore',
    chunks,
    contentHash: summary.contentHash,
  });
  const fetchChunk: ChunkFetcher = (hash, nodeId) => stores.get(nodeId)!.get(hash);
  const locateChunk = (hash: string): readonly string[] => plan.assignments.get(hash) ?? [];
  return { snapshot, manifest, stores, fetchChunk, locateChunk };
}

async function flipByte(store: InMemoryChunkStore, hash: string, position: number): Promise<void> {
  const blob = (await store.get(hash))!;
  blob[position % blob.length]! ^= 0x01;
  await store.put(hash, blob);
}

const entries = shardEntries(2000);

describe('restoreFromManifest', () => {
  it('restores exactly the original snapshot, whose entries hash to the manifest content hash', async () => {
    const { snapshot, manifest, fetchChunk, locateChunk } = checkpointOf(entries);
    expect(manifest.chunks.length).toBeGreaterThan(10);

    const restored = await restoreFromManifest(manifest, fetchChunk, { parallelism: 4, locateChunk });

    expect(restored.data).toEqual(snapshot);
    expect(restored.warnings).toEqual([]);
    expect(restored.chunks).toBe(manifest.chunks.length);
    expect(restored.bytes).toBe(snapshot.length);
    expect(restored.bytesFetched).toBeLessThan(snapshot.length / 2);
    const hasher = contentHasher();
    for (const entry of decodeSnapshot(restored.data)) hasher.update(entry.key, entry.value);
    expect(hasher.digest()).toBe(manifest.contentHash);
  });

  it('restores an empty shard', async () => {
    const { manifest, fetchChunk, locateChunk } = checkpointOf([]);
    expect(manifest.contentHash).toBe(EMPTY_CONTENT_HASH);
    const restored = await restoreFromManifest(manifest, fetchChunk, { parallelism: 2, locateChunk });
    expect(restored.data).toHaveLength(0);
  });

  it('reports a chunk corrupted on both copies with its hash and both nodes', async () => {
    const { manifest, stores, fetchChunk, locateChunk } = checkpointOf(entries, { codec: 'none' });
    const bad = manifest.chunks[5]!;
    const [first, second] = locateChunk(bad.hash);
    await flipByte(stores.get(first!)!, bad.hash, 100);
    await flipByte(stores.get(second!)!, bad.hash, 200);

    const error = await restoreFromManifest(manifest, fetchChunk, { parallelism: 4, locateChunk }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ChunkUnrecoverableError);
    const unrecoverable = error as ChunkUnrecoverableError;
    expect(unrecoverable.chunkHash).toBe(bad.hash);
    expect(unrecoverable.chunkIndex).toBe(5);
    expect(unrecoverable.attempts.map((attempt) => [attempt.nodeId, attempt.problem])).toEqual([
      [first, 'hash-mismatch'],
      [second, 'hash-mismatch'],
    ]);
    expect(unrecoverable.message).toContain(bad.hash);
  });

  it('reports a compressed chunk whose blob no longer decodes on both copies', async () => {
    const { manifest, stores, fetchChunk, locateChunk } = checkpointOf(entries);
    const bad = manifest.chunks[2]!;
    for (const nodeId of locateChunk(bad.hash)) await flipByte(stores.get(nodeId)!, bad.hash, 10);

    const error = await restoreFromManifest(manifest, fetchChunk, { parallelism: 3, locateChunk }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ChunkUnrecoverableError);
    for (const attempt of (error as ChunkUnrecoverableError).attempts) {
      expect(['undecodable', 'hash-mismatch']).toContain(attempt.problem);
    }
  });

  it('repairs a chunk corrupted on one copy from the other and warns about the bad copy', async () => {
    const { snapshot, manifest, stores, fetchChunk, locateChunk } = checkpointOf(entries, { codec: 'none' });
    const bad = manifest.chunks[7]!;
    const [first, second] = locateChunk(bad.hash);
    await flipByte(stores.get(first!)!, bad.hash, 50);

    const restored = await restoreFromManifest(manifest, fetchChunk, { parallelism: 4, locateChunk });

    expect(restored.data).toEqual(snapshot);
    expect(restored.warnings).toEqual([
      {
        kind: 'chunk-copy-bad',
        chunkHash: bad.hash,
        chunkIndex: 7,
        nodeId: first,
        problem: 'hash-mismatch',
        detail: expect.stringContaining('content hashes to') as unknown,
        restoredFrom: second,
      },
    ]);
  });

  it('falls back to the second copy when the first node lacks the chunk or cannot be reached', async () => {
    const { snapshot, manifest, stores, locateChunk } = checkpointOf(entries);
    const missing = manifest.chunks[1]!;
    await stores.get(locateChunk(missing.hash)[0]!)!.delete(missing.hash);
    const unreachable = manifest.chunks[3]!;
    const downNode = locateChunk(unreachable.hash)[0]!;
    const fetchChunk: ChunkFetcher = (hash, nodeId) =>
      hash === unreachable.hash && nodeId === downNode
        ? Promise.reject(new Error('connect ECONNREFUSED'))
        : stores.get(nodeId)!.get(hash);

    const restored = await restoreFromManifest(manifest, fetchChunk, { parallelism: 2, locateChunk });

    expect(restored.data).toEqual(snapshot);
    expect(restored.warnings.map((warning) => [warning.chunkIndex, warning.problem])).toEqual([
      [1, 'missing'],
      [3, 'fetch-failed'],
    ]);
    expect(restored.warnings[1]!.detail).toBe('connect ECONNREFUSED');
  });

  it('reports a chunk with no known location', async () => {
    const { manifest, fetchChunk } = checkpointOf(entries);
    const error = await restoreFromManifest(manifest, fetchChunk, {
      parallelism: 2,
      locateChunk: () => [],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChunkUnrecoverableError);
    expect((error as Error).message).toContain('no known location');
  });

  it('rejects intact chunks that do not assemble into the listed content', async () => {
    const { manifest, fetchChunk, locateChunk } = checkpointOf(entries);
    const wrong = buildManifest({
      ...manifest,
      range: { lo: 0n, hi: 1n << 64n },
      appliedOffsets: new Map([[1, 1999n]]),
      contentHash: sha256Hex(Buffer.from('something else')),
    });

    const error = await restoreFromManifest(wrong, fetchChunk, { parallelism: 4, locateChunk }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ContentHashMismatchError);
    expect((error as ContentHashMismatchError).actual).toBe(manifest.contentHash);
  });

  it('refuses a tampered manifest before fetching anything', async () => {
    const { manifest, locateChunk } = checkpointOf(entries);
    const tampered: CheckpointManifest = { ...manifest, shardId: 'shard-2' };
    let fetches = 0;
    const fetchChunk: ChunkFetcher = () => {
      fetches += 1;
      return Promise.resolve(undefined);
    };

    await expect(
      restoreFromManifest(tampered, fetchChunk, { parallelism: 2, locateChunk }),
    ).rejects.toBeInstanceOf(ManifestRejectedError);
    expect(fetches).toBe(0);
    expect(verifyManifest(manifest)).toEqual({ ok: true });
  });
});

describe('streamRestoreFromManifest', () => {
  /** Wraps a fetcher with uneven delays and counts how many fetches run at once. */
  function throttled(inner: ChunkFetcher) {
    const stats = { active: 0, maxActive: 0 };
    let calls = 0;
    const fetchChunk: ChunkFetcher = async (hash, nodeId) => {
      calls += 1;
      stats.active += 1;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      await new Promise((resolve) => setTimeout(resolve, (calls * 7) % 5));
      try {
        return await inner(hash, nodeId);
      } finally {
        stats.active -= 1;
      }
    };
    return { fetchChunk, stats };
  }

  it('fetches in parallel up to the bound and delivers chunks in snapshot order', async () => {
    const { snapshot, manifest, fetchChunk, locateChunk } = checkpointOf(entries);
    const { fetchChunk: slowFetch, stats } = throttled(fetchChunk);
    const delivered: number[] = [];
    const parts: Buffer[] = [];

    await streamRestoreFromManifest(manifest, slowFetch, {
      parallelism: 3,
      locateChunk,
      sink: (chunk, index) => {
        delivered.push(index);
        parts.push(chunk);
      },
    });

    expect(stats.maxActive).toBe(3);
    expect(delivered).toEqual(manifest.chunks.map((_, index) => index));
    expect(Buffer.concat(parts)).toEqual(snapshot);
  });

  it('leaves no fetch running once it has failed', async () => {
    const { manifest, stores, fetchChunk, locateChunk } = checkpointOf(entries);
    const bad = manifest.chunks[0]!;
    for (const nodeId of locateChunk(bad.hash)) await stores.get(nodeId)!.delete(bad.hash);
    const { fetchChunk: slowFetch, stats } = throttled(fetchChunk);

    await expect(
      streamRestoreFromManifest(manifest, slowFetch, { parallelism: 4, locateChunk, sink: () => undefined }),
    ).rejects.toBeInstanceOf(ChunkUnrecoverableError);
    expect(stats.active).toBe(0);
  });

  it('passes on an error from the sink', async () => {
    const { manifest, fetchChunk, locateChunk } = checkpointOf(entries);
    await expect(
      streamRestoreFromManifest(manifest, fetchChunk, {
        parallelism: 2,
        locateChunk,
        sink: () => Promise.reject(new Error('disk full')),
      }),
    ).rejects.toThrow('disk full');
  });

  it('rejects a parallelism that is not a positive integer', async () => {
    const { manifest, fetchChunk, locateChunk } = checkpointOf(entries);
    await expect(restoreFromManifest(manifest, fetchChunk, { parallelism: 0, locateChunk })).rejects.toThrow(
      RangeError,
    );
  });
});
