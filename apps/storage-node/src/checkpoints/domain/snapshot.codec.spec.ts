import { describe, expect, it } from 'vitest';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotEntry,
  SnapshotDecoder,
  SnapshotFormatError,
} from './snapshot.codec.js';

const key = (hash: number, name: string): Buffer => {
  const stored = Buffer.alloc(8 + name.length);
  stored.writeBigUInt64BE(BigInt(hash), 0);
  stored.write(name, 8);
  return stored;
};
const entries = [
  { key: key(1, 'a'), value: Buffer.from('one') },
  { key: key(2, 'b'), value: Buffer.alloc(0) },
  { key: key(3, 'c'), value: Buffer.alloc(3000, 7) },
];

describe('snapshot stream', () => {
  it('frames each entry as u32 key length, key, u32 value length, value', () => {
    expect(encodeSnapshotEntry(key(1, 'a'), Buffer.from('v')).toString('hex')).toBe(
      '00000009' + '0000000000000001' + '61' + '00000001' + '76',
    );
  });

  it('round-trips whole', () => {
    expect([...decodeSnapshot(Buffer.concat([...encodeSnapshot(entries)]))]).toEqual(entries);
  });

  it('round-trips when the bytes arrive one at a time', () => {
    const bytes = Buffer.concat([...encodeSnapshot(entries)]);
    const pieces = [...bytes].map((byte) => Buffer.from([byte]));
    expect([...decodeSnapshot(pieces)]).toEqual(entries);
  });

  it('rejects a truncated stream and an impossible key length', () => {
    const bytes = Buffer.concat([...encodeSnapshot(entries)]);
    expect(() => [...decodeSnapshot(bytes.subarray(0, bytes.length - 1))]).toThrow(SnapshotFormatError);
    expect(() => new SnapshotDecoder().push(Buffer.from([0, 0, 0, 2, 1, 2]))).toThrow('stored key length 2');
  });

  it('refuses to encode a stored key without its hash prefix', () => {
    expect(() => encodeSnapshotEntry(Buffer.from('short'), Buffer.from('v'))).toThrow(RangeError);
  });
});
