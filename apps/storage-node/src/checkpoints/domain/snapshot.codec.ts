/**
 * The byte stream a checkpoint is cut from: the shard's LMDB entries in key order, each
 * framed as u32 BE key length ‖ stored key ‖ u32 BE value length ‖ stored value.
 *
 * A logical dump rather than a copy of the LMDB file: it is independent of page size and
 * free-page layout, a restore rebuilds a compact environment by appending in key order,
 * and one key's change alters a few bytes in place, which content-defined chunking turns
 * into one or two new chunks. Its SHA-256 is also the replica content hash
 * (replica-content.hasher.ts), so a checkpoint, a restored copy and a live replica are
 * compared with one number.
 */
export interface SnapshotEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

const LENGTH_BYTES = 4;
/** 8-byte hash prefix + at least one key byte, and LMDB's key size limit. */
const MIN_STORED_KEY_BYTES = 9;
const MAX_STORED_KEY_BYTES = 1978;
const MAX_U32 = 0xffff_ffff;

export class SnapshotFormatError extends Error {
  constructor(reason: string) {
    super(`malformed snapshot: ${reason}`);
    this.name = 'SnapshotFormatError';
  }
}

export function encodeSnapshotEntry(key: Uint8Array, value: Uint8Array): Buffer {
  if (key.length < MIN_STORED_KEY_BYTES || key.length > MAX_STORED_KEY_BYTES) {
    throw new RangeError(
      `stored key of ${key.length} bytes is outside [${MIN_STORED_KEY_BYTES}, ${MAX_STORED_KEY_BYTES}]`,
    );
  }
  if (value.length > MAX_U32)
    throw new RangeError(`value of ${value.length} bytes does not fit a u32 length`);
  const frame = Buffer.allocUnsafe(2 * LENGTH_BYTES + key.length + value.length);
  frame.writeUInt32BE(key.length, 0);
  frame.set(key, LENGTH_BYTES);
  frame.writeUInt32BE(value.length, LENGTH_BYTES + key.length);
  frame.set(value, 2 * LENGTH_BYTES + key.length);
  return frame;
}

export function* encodeSnapshot(entries: Iterable<SnapshotEntry>): Generator<Buffer> {
  for (const entry of entries) yield encodeSnapshotEntry(entry.key, entry.value);
}

/** Decodes a snapshot arriving in pieces of any size (chunks as a restore delivers them). */
export class SnapshotDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(bytes: Uint8Array): SnapshotEntry[] {
    this.pending = this.pending.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.pending, bytes]);
    const entries: SnapshotEntry[] = [];
    let position = 0;
    for (;;) {
      const available = this.pending.length - position;
      if (available < LENGTH_BYTES) break;
      const keyLength = this.pending.readUInt32BE(position);
      if (keyLength < MIN_STORED_KEY_BYTES || keyLength > MAX_STORED_KEY_BYTES) {
        throw new SnapshotFormatError(`stored key length ${keyLength} at byte ${position} is out of range`);
      }
      if (available < 2 * LENGTH_BYTES + keyLength) break;
      const valueLength = this.pending.readUInt32BE(position + LENGTH_BYTES + keyLength);
      const frameLength = 2 * LENGTH_BYTES + keyLength + valueLength;
      if (available < frameLength) break;
      const keyStart = position + LENGTH_BYTES;
      const valueStart = keyStart + keyLength + LENGTH_BYTES;
      entries.push({
        key: Buffer.from(this.pending.subarray(keyStart, keyStart + keyLength)),
        value: Buffer.from(this.pending.subarray(valueStart, valueStart + valueLength)),
      });
      position += frameLength;
    }
    this.pending = this.pending.subarray(position);
    return entries;
  }

  finish(): void {
    if (this.pending.length > 0)
      throw new SnapshotFormatError(`${this.pending.length} bytes of a truncated entry at the end`);
  }
}

export function* decodeSnapshot(input: Uint8Array | Iterable<Uint8Array>): Generator<SnapshotEntry> {
  const decoder = new SnapshotDecoder();
  for (const piece of input instanceof Uint8Array ? [input] : input) yield* decoder.push(piece);
  decoder.finish();
}
