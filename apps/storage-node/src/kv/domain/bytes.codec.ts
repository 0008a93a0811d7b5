/**
 * Byte-level building blocks shared by the storage-node's binary formats: a writer and a
 * reader with unsigned LEB128 varints. Varints keep the per-record overhead small: a
 * partition and a Kafka offset usually fit in 1 and 3–5 bytes instead of 4 and 8.
 */

/** The outcome of decoding untrusted bytes or text: the value, or why it was rejected. */
export type DecodeResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export class DecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DecodeError';
  }
}

const MAX_U64 = (1n << 64n) - 1n;
/** ceil(64 / 7): the longest canonical encoding of a u64. */
const MAX_VARINT_BYTES = 10;

export class ByteWriter {
  private readonly parts: Buffer[] = [];
  private pending: number[] = [];

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`not a byte: ${value}`);
    this.pending.push(value);
    return this;
  }

  uvarint(value: bigint | number): this {
    let rest = BigInt(value);
    if (rest < 0n || rest > MAX_U64) throw new RangeError(`varint out of u64 range: ${value}`);
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      this.pending.push(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.flushPending();
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  /** A varint length followed by the bytes. */
  lengthPrefixed(bytes: Uint8Array): this {
    return this.uvarint(bytes.length).bytes(bytes);
  }

  finish(): Buffer {
    this.flushPending();
    return Buffer.concat(this.parts);
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.parts.push(Buffer.from(this.pending));
    this.pending = [];
  }
}

/**
 * Reads what ByteWriter wrote; every read names the field so a rejection says where the
 * input went wrong. Returned byte slices are copies: lmdb-js reuses its read buffer, so a
 * view into it would change under the caller's feet.
 */
export class ByteReader {
  private position = 0;

  constructor(private readonly input: Uint8Array) {}

  get remaining(): number {
    return this.input.length - this.position;
  }

  u8(field: string): number {
    const value = this.input[this.position];
    if (value === undefined) throw new DecodeError(`${field}: unexpected end of input`);
    this.position += 1;
    return value;
  }

  uvarint(field: string): bigint {
    let value = 0n;
    for (let index = 0; index < MAX_VARINT_BYTES; index += 1) {
      const byte = this.u8(field);
      value |= BigInt(byte & 0x7f) << BigInt(7 * index);
      if ((byte & 0x80) === 0) {
        // A final zero byte after others means the same number had a shorter encoding.
        if (byte === 0 && index > 0) throw new DecodeError(`${field}: non-canonical varint`);
        if (value > MAX_U64) throw new DecodeError(`${field}: varint exceeds 64 bits`);
        return value;
      }
    }
    throw new DecodeError(`${field}: varint longer than ${MAX_VARINT_BYTES} bytes`);
  }

  /** A varint that must fit below `limit` (exclusive), as a JS number. */
  smallUvarint(field: string, limit: number): number {
    const value = this.uvarint(field);
    if (value >= BigInt(limit)) throw new DecodeError(`${field}: ${value} is not below ${limit}`);
    return Number(value);
  }

  bytes(length: number, field: string): Buffer {
    if (length > this.remaining) {
      throw new DecodeError(`${field}: needs ${length} bytes, ${this.remaining} left`);
    }
    const slice = Buffer.from(this.input.subarray(this.position, this.position + length));
    this.position += length;
    return slice;
  }

  lengthPrefixed(field: string, maxLength: number): Buffer {
    const length = this.smallUvarint(`${field} length`, maxLength + 1);
    return this.bytes(length, field);
  }

  rest(): Buffer {
    return this.bytes(this.remaining, 'rest');
  }

  expectEnd(what: string): void {
    if (this.remaining !== 0) throw new DecodeError(`${what}: ${this.remaining} unexpected trailing bytes`);
  }
}

/** Runs a decoder that throws DecodeError and turns the rejection into a DecodeResult. */
export function decodeWith<T>(decode: () => T): DecodeResult<T> {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: error.reason };
    throw error;
  }
}
