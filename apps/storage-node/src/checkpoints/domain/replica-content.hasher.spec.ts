import { describe, expect, it } from 'vitest';
import { encodeStoredKey, encodeStoredValue } from '../../kv/domain/index.js';
import { EMPTY_CONTENT_HASH } from './content-address.model.js';
import { contentHasher } from './replica-content.hasher.js';
import { encodeSnapshot } from './snapshot.codec.js';
import { packSnapshot } from './snapshot.packer.js';

function replica(values: Record<string, string>): { key: Buffer; value: Buffer }[] {
  return Object.entries(values)
    .map(([name, value], index) => ({
      key: encodeStoredKey(BigInt(index * 1000 + name.length), Buffer.from(name)),
      value: encodeStoredValue({
        value: Buffer.from(value),
        version: { partition: 0, offset: BigInt(index) },
        tombstone: false,
      }),
    }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
}

function hashOf(entries: { key: Buffer; value: Buffer }[]): string {
  const hasher = contentHasher();
  for (const entry of entries) hasher.update(entry.key, entry.value);
  return hasher.digest();
}

describe('replica content hash', () => {
  it('is equal for equal replicas and differs when one value differs', () => {
    const a = replica({ alice: '1', bob: '2', carol: '3' });
    const b = replica({ alice: '1', bob: '2', carol: '3' });
    const c = replica({ alice: '1', bob: '2', carol: '4' });
    expect(hashOf(a)).toBe(hashOf(b));
    expect(hashOf(a)).not.toBe(hashOf(c));
  });

  it('tells a missing key from an empty value', () => {
    const withEmpty = [{ key: encodeStoredKey(1n, Buffer.from('k')), value: Buffer.alloc(0) }];
    expect(hashOf(withEmpty)).not.toBe(hashOf([]));
    expect(hashOf([])).toBe(EMPTY_CONTENT_HASH);
  });

  it('equals the content hash of a checkpoint packed from the same entries', () => {
    const entries = replica({ alice: '1', bob: '2', carol: '3'.repeat(100_000) });
    const { summary } = packSnapshot(encodeSnapshot(entries));
    expect(hashOf(entries)).toBe(summary.contentHash);
  });

  it('refuses keys out of order or repeated, and use after digest', () => {
    const hasher = contentHasher();
    hasher.update(encodeStoredKey(2n, Buffer.from('k')), Buffer.from('v'));
    expect(() => hasher.update(encodeStoredKey(1n, Buffer.from('k')), Buffer.from('v'))).toThrow(
      'strictly increasing',
    );
    expect(() => hasher.update(encodeStoredKey(2n, Buffer.from('k')), Buffer.from('v'))).toThrow(
      'strictly increasing',
    );
    expect(hasher.entries).toBe(1);
    hasher.digest();
    expect(() => hasher.digest()).toThrow('already digested');
  });
});
