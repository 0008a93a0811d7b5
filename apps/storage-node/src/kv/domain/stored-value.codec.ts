import { ByteReader, ByteWriter, DecodeError } from './bytes.codec.js';
import { assertLogPosition, isValidOffset, type LogPosition, MAX_PARTITION } from './log-position.model.js';
import { StoredDataCorruptError } from './stored-data-corrupt.error.js';

/**
 * What a replica stores under a key: the value, the log position of the record that wrote
 * it (its version, used for If-Match and to recognise a replayed record) and whether the
 * key was deleted. Tombstones are kept so that a replayed older put cannot resurrect a key.
 */
export interface StoredValue {
  readonly value: Buffer;
  readonly version: LogPosition;
  readonly tombstone: boolean;
}

const FORMAT_V1 = 1;
const FLAG_TOMBSTONE = 0b1;

/**
 * Layout: format u8 ‖ flags u8 ‖ partition varint ‖ offset varint ‖ value bytes (to the
 * end; LMDB knows the length). Overhead is typically 6–9 bytes per key.
 */
export function encodeStoredValue(stored: StoredValue): Buffer {
  assertLogPosition(stored.version);
  if (stored.tombstone && stored.value.length > 0) throw new RangeError('a tombstone carries no value');
  return new ByteWriter()
    .u8(FORMAT_V1)
    .u8(stored.tombstone ? FLAG_TOMBSTONE : 0)
    .uvarint(stored.version.partition)
    .uvarint(stored.version.offset)
    .bytes(stored.value)
    .finish();
}

export function decodeStoredValue(bytes: Uint8Array): StoredValue {
  try {
    const reader = new ByteReader(bytes);
    const format = reader.u8('format');
    if (format !== FORMAT_V1) throw new DecodeError(`unknown format ${format}`);
    const flags = reader.u8('flags');
    if ((flags & ~FLAG_TOMBSTONE) !== 0) throw new DecodeError(`unknown flags ${flags}`);
    const partition = reader.smallUvarint('partition', MAX_PARTITION + 1);
    const offset = reader.uvarint('offset');
    if (!isValidOffset(offset)) throw new DecodeError(`offset ${offset} out of range`);
    const value = reader.rest();
    const tombstone = (flags & FLAG_TOMBSTONE) !== 0;
    if (tombstone && value.length > 0) throw new DecodeError('tombstone with a value');
    return { value, version: { partition, offset }, tombstone };
  } catch (error) {
    if (error instanceof DecodeError) throw new StoredDataCorruptError('stored value', error.reason);
    throw error;
  }
}
