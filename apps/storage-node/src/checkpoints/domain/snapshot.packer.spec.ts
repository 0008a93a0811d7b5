import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeChunkBlob } from './chunk-blob.codec.js';
import { sha256Hex } from './content-address.model.js';
import { packSnapshot, SnapshotPacker } from './snapshot.packer.js';

const chunking = { minSize: 256, avgSize: 1024, maxSize: 4096 };
const snapshot = Buffer.from(Array.from({ length: 3000 }, (_, i) => `key-${i}=value-${i * 31};`).join(''));

describe('packSnapshot', () => {
  it('addresses each chunk by the SHA-256 of its uncompressed bytes', () => {
    const { chunks } = packSnapshot(snapshot, { chunking });
    expect(chunks.length).toBeGreaterThan(5);
    let position = 0;
    for (const chunk of chunks) {
      const raw = snapshot.subarray(position, position + chunk.size);
      expect(chunk.hash).toBe(sha256Hex(raw));
      expect(chunk.compressedSize).toBe(chunk.blob.length);
      expect(decodeChunkBlob(chunk.blob, chunk.size)).toEqual({ ok: true, value: raw });
      position += chunk.size;
    }
    expect(position).toBe(snapshot.length);
  });

  it('gives the same addresses whatever the compression', () => {
    const brotli = packSnapshot(snapshot, { chunking, compression: { codec: 'brotli' } });
    const deflate = packSnapshot(snapshot, { chunking, compression: { codec: 'deflate-raw' } });
    expect(brotli.chunks.map((chunk) => chunk.hash)).toEqual(deflate.chunks.map((chunk) => chunk.hash));
    expect(brotli.chunks[0]!.blob).not.toEqual(deflate.chunks[0]!.blob);
  });

  it('hashes the whole uncompressed snapshot as its content hash', () => {
    const { summary } = packSnapshot(snapshot, { chunking });
    expect(summary).toEqual({
      contentHash: createHash('sha256').update(snapshot).digest('hex'),
      totalSize: snapshot.length,
    });
  });

  it('streams: chunks come out as the snapshot goes in', () => {
    const packer = new SnapshotPacker({ chunking });
    const early = packer.push(snapshot.subarray(0, 20_000));
    expect(early.length).toBeGreaterThan(0);
    const rest = [...packer.push(snapshot.subarray(20_000)), ...packer.finish().chunks];
    expect([...early, ...rest].map((chunk) => chunk.hash)).toEqual(
      packSnapshot(snapshot, { chunking }).chunks.map((c) => c.hash),
    );
  });
});
