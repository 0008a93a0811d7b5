import { createHash } from 'node:crypto';

/**
 * Content-defined chunking (FastCDC-style gear hash with normalised chunk sizes).
 *
 * Chosen over fixed-size chunks for dedupe across checkpoints: a snapshot is a key-ordered
 * dump, so a key inserted early shifts every later byte, and fixed-size chunks would all
 * change; cut points chosen by content move with the data, so only the chunks around the
 * change are new and the rest are already on the backup nodes.
 */
export interface ChunkingOptions {
  /** No cut before this many bytes. */
  readonly minSize: number;
  /** Expected chunk size; a power of two. */
  readonly avgSize: number;
  /** A cut is forced here. */
  readonly maxSize: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = {
  minSize: 16 * 1024,
  avgSize: 64 * 1024,
  maxSize: 256 * 1024,
};

/**
 * 256 pseudo-random 32-bit values, derived from a fixed seed so every node, and every
 * version of the code, cuts the same data at the same places (otherwise nothing dedupes).
 */
const GEAR: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    table[index] = createHash('sha256').update(`shardcast-gear-v1:${index}`).digest().readUInt32BE(0);
  }
  return table;
})();

/**
 * A mask of the `bits` highest bits. The gear hash shifts left once per byte, so its high
 * bits depend on the last 32 bytes, a window wide enough to find content, narrow enough
 * to resynchronise right after an edit.
 */
function highBitsMask(bits: number): number {
  return bits <= 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0;
}

export function validateChunkingOptions(options: ChunkingOptions): void {
  const { minSize, avgSize, maxSize } = options;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (!(minSize < avgSize && avgSize < maxSize)) throw new RangeError('need minSize < avgSize < maxSize');
  if ((avgSize & (avgSize - 1)) !== 0 || avgSize < 256 || avgSize > 2 ** 26) {
    throw new RangeError('avgSize must be a power of two in [256, 2^26]');
  }
}

/**
 * Cuts a byte stream pushed in pieces of any size; the cut points depend only on the
 * bytes, not on how they were split into pieces. Returned chunks never share memory with
 * the input.
 */
export class ContentDefinedChunker {
  private readonly minSize: number;
  private readonly avgSize: number;
  private readonly maxSize: number;
  /** Stricter before the average size, looser after: sizes cluster around the average. */
  private readonly maskSmall: number;
  private readonly maskLarge: number;
  private pending: Buffer[] = [];
  private length = 0;
  private hash = 0;

  constructor(options: ChunkingOptions = DEFAULT_CHUNKING) {
    validateChunkingOptions(options);
    this.minSize = options.minSize;
    this.avgSize = options.avgSize;
    this.maxSize = options.maxSize;
    const bits = Math.log2(options.avgSize);
    this.maskSmall = highBitsMask(bits + 2);
    this.maskLarge = highBitsMask(bits - 2);
  }

  push(bytes: Uint8Array): Buffer[] {
    const chunks: Buffer[] = [];
    let segmentStart = 0;
    let length = this.length;
    let hash = this.hash;
    let index = 0;
    while (index < bytes.length) {
      if (length < this.minSize) {
        // No cut can fall below the minimum, so those bytes are not even hashed.
        const skip = Math.min(this.minSize - length, bytes.length - index);
        length += skip;
        index += skip;
        continue;
      }
      length += 1;
      hash = ((hash << 1) + GEAR[bytes[index]!]!) >>> 0;
      index += 1;
      const mask = length < this.avgSize ? this.maskSmall : this.maskLarge;
      if ((hash & mask) === 0 || length >= this.maxSize) {
        this.pending.push(Buffer.from(bytes.subarray(segmentStart, index)));
        chunks.push(this.takePending());
        segmentStart = index;
        length = 0;
        hash = 0;
      }
    }
    if (segmentStart < bytes.length) this.pending.push(Buffer.from(bytes.subarray(segmentStart)));
    this.length = length;
    this.hash = hash;
    return chunks;
  }

  /** The last, possibly short, chunk; nothing for an empty stream. */
  finish(): Buffer[] {
    const rest = this.length > 0 ? [this.takePending()] : [];
    this.length = 0;
    this.hash = 0;
    return rest;
  }

  private takePending(): Buffer {
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    return chunk;
  }
}

export function* cutChunks(
  input: Uint8Array | Iterable<Uint8Array>,
  options: ChunkingOptions = DEFAULT_CHUNKING,
): Generator<Buffer> {
  const chunker = new ContentDefinedChunker(options);
  for (const piece of input instanceof Uint8Array ? [input] : input) yield* chunker.push(piece);
  yield* chunker.finish();
}
