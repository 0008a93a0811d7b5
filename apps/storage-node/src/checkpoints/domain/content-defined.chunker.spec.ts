import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ChunkingOptions,
  ContentDefinedChunker,
  cutChunks,
  DEFAULT_CHUNKING,
} from './content-defined.chunker.js';
import { sha256Hex } from './content-address.model.js';

/** Chunk lengths of pseudoRandomBytes(20_000, 7) with `small`, as the format defines them. */
const GOLDEN_LENGTHS = [
  527, 1168, 1288, 1303, 1140, 1995, 1308, 1332, 1449, 719, 1060, 1201, 418, 1499, 1467, 1088, 1038,
];
const small: ChunkingOptions = { minSize: 256, avgSize: 1024, maxSize: 4096 };

/** Deterministic pseudo-random bytes, so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

function splitInto(data: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let position = 0;
  for (let index = 0; position < data.length; index += 1) {
    const size = sizes[index % sizes.length]!;
    pieces.push(data.subarray(position, position + size));
    position += size;
  }
  return pieces;
}

describe('content-defined chunker', () => {
  const data = pseudoRandomBytes(200_000, 7);

  it('cuts chunks that reassemble to the input, all within the size bounds', () => {
    const chunks = [...cutChunks(data, small)];
    expect(Buffer.concat(chunks)).toEqual(data);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThan(small.minSize);
      expect(chunk.length).toBeLessThanOrEqual(small.maxSize);
    }
    const mean = data.length / chunks.length;
    expect(mean).toBeGreaterThan(small.avgSize / 2);
    expect(mean).toBeLessThan(small.avgSize * 2);
  });

  it('cuts at the same places however the input is split into pieces', () => {
    const whole = [...cutChunks(data, small)].map((chunk) => sha256Hex(chunk));
    const pieces = [...cutChunks(splitInto(data, [1, 7, 300, 5000, 3]), small)].map((chunk) =>
      sha256Hex(chunk),
    );
    expect(pieces).toEqual(whole);
  });

  it('forces a cut at maxSize on data with no cut points, such as long runs of one byte', () => {
    let forced = 0;
    for (let byte = 0; byte < 256; byte += 1) {
      const chunks = [...cutChunks(Buffer.alloc(10_000, byte), small)];
      for (const chunk of chunks.slice(0, -1)) {
        expect(chunk.length).toBeGreaterThan(small.minSize);
        expect(chunk.length).toBeLessThanOrEqual(small.maxSize);
      }
      if (chunks[0]!.length === small.maxSize) forced += 1;
    }
    expect(forced).toBeGreaterThan(200);
    expect([...cutChunks(Buffer.alloc(1024 * 1024))].map((chunk) => chunk.length)).toEqual(
      Array(4).fill(256 * 1024),
    );
  });

  it('keeps its cut points from release to release, or new checkpoints would not dedupe against old ones', () => {
    expect([...cutChunks(pseudoRandomBytes(20_000, 7), small)].map((chunk) => chunk.length)).toEqual(
      GOLDEN_LENGTHS,
    );
  });

  it('keeps most chunks after a few bytes are inserted early, unlike fixed-size chunks', () => {
    const edited = Buffer.concat([data.subarray(0, 5000), Buffer.from('inserted!'), data.subarray(5000)]);
    const before = new Set([...cutChunks(data, small)].map((chunk) => sha256Hex(chunk)));
    const after = [...cutChunks(edited, small)].map((chunk) => sha256Hex(chunk));
    const reused = after.filter((hash) => before.has(hash)).length;
    expect(reused / after.length).toBeGreaterThan(0.9);

    const fixed = (bytes: Buffer): string[] => splitInto(bytes, [1024]).map((chunk) => sha256Hex(chunk));
    const fixedBefore = new Set(fixed(data));
    const fixedReused = fixed(edited).filter((hash) => fixedBefore.has(hash)).length;
    expect(fixedReused / fixed(edited).length).toBeLessThan(0.1);
  });

  it('gives nothing for an empty stream and one short chunk for a short one', () => {
    expect([...cutChunks(Buffer.alloc(0), small)]).toEqual([]);
    expect([...cutChunks(Buffer.from('abc'), small)]).toEqual([Buffer.from('abc')]);
  });

  it('returns chunks that do not share memory with the input', () => {
    const input = Buffer.from(data.subarray(0, 20_000));
    const chunker = new ContentDefinedChunker(small);
    const chunks = [...chunker.push(input), ...chunker.finish()];
    const copy = Buffer.concat(chunks);
    input.fill(0);
    expect(Buffer.concat(chunks)).toEqual(copy);
  });

  it('uses 64 KiB chunks on average by default', () => {
    const large = randomBytes(4 * 1024 * 1024);
    const chunks = [...cutChunks(large)];
    const mean = large.length / chunks.length;
    expect(mean).toBeGreaterThan(DEFAULT_CHUNKING.avgSize / 2);
    expect(mean).toBeLessThan(DEFAULT_CHUNKING.avgSize * 2);
  });

  it('rejects inconsistent options', () => {
    expect(() => new ContentDefinedChunker({ minSize: 1024, avgSize: 1024, maxSize: 4096 })).toThrow(
      RangeError,
    );
    expect(() => new ContentDefinedChunker({ minSize: 256, avgSize: 1000, maxSize: 4096 })).toThrow(
      'power of two',
    );
    expect(() => new ContentDefinedChunker({ minSize: 0, avgSize: 1024, maxSize: 4096 })).toThrow('minSize');
  });
});
