import { createHash, type Hash } from 'node:crypto';
import { type ChunkCompression, DEFAULT_COMPRESSION, encodeChunkBlob } from './chunk-blob.codec.js';
import { ContentDefinedChunker, type ChunkingOptions, DEFAULT_CHUNKING } from './content-defined.chunker.js';
import { sha256Hex } from './content-address.model.js';

/** A chunk ready to upload: `hash` addresses the uncompressed bytes, `blob` is what is stored. */
export interface PackedChunk {
  readonly hash: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly blob: Buffer;
}

export interface PackingOptions {
  readonly chunking?: ChunkingOptions;
  readonly compression?: ChunkCompression;
}

export interface PackingSummary {
  /** SHA-256 of the whole uncompressed snapshot. */
  readonly contentHash: string;
  readonly totalSize: number;
}

/**
 * Turns a snapshot stream into content-addressed, compressed chunks as it arrives, so a
 * checkpoint of any size is uploaded with a few chunks in memory.
 */
export class SnapshotPacker {
  private readonly chunker: ContentDefinedChunker;
  private readonly compression: ChunkCompression;
  private readonly contentHash: Hash = createHash('sha256');
  private totalSize = 0;

  constructor(options: PackingOptions = {}) {
    this.chunker = new ContentDefinedChunker(options.chunking ?? DEFAULT_CHUNKING);
    this.compression = options.compression ?? DEFAULT_COMPRESSION;
  }

  push(bytes: Uint8Array): PackedChunk[] {
    this.contentHash.update(bytes);
    this.totalSize += bytes.length;
    return this.chunker.push(bytes).map((raw) => this.pack(raw));
  }

  finish(): { readonly chunks: PackedChunk[]; readonly summary: PackingSummary } {
    const chunks = this.chunker.finish().map((raw) => this.pack(raw));
    return { chunks, summary: { contentHash: this.contentHash.digest('hex'), totalSize: this.totalSize } };
  }

  private pack(raw: Buffer): PackedChunk {
    const blob = encodeChunkBlob(raw, this.compression);
    return { hash: sha256Hex(raw), size: raw.length, compressedSize: blob.length, blob };
  }
}

/** Packs a whole snapshot held in memory or produced by a synchronous iterator. */
export function packSnapshot(
  input: Uint8Array | Iterable<Uint8Array>,
  options: PackingOptions = {},
): { readonly chunks: PackedChunk[]; readonly summary: PackingSummary } {
  const packer = new SnapshotPacker(options);
  const chunks: PackedChunk[] = [];
  for (const piece of input instanceof Uint8Array ? [input] : input) chunks.push(...packer.push(piece));
  const last = packer.finish();
  return { chunks: [...chunks, ...last.chunks], summary: last.summary };
}
