import { describe, expect, it } from 'vitest';
import { InMemoryChunkStore } from './in-memory-chunk-store.js';

describe('InMemoryChunkStore', () => {
  it('stores, reports and deletes blobs by hash', async () => {
    const store = new InMemoryChunkStore();
    await store.put('h1', Buffer.from('blob'));
    expect(await store.has('h1')).toBe(true);
    expect(await store.get('h1')).toEqual(Buffer.from('blob'));
    expect(await store.get('h2')).toBeUndefined();
    await store.delete('h1');
    expect(await store.has('h1')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('keeps its own copy, so callers cannot change a stored blob by accident', async () => {
    const store = new InMemoryChunkStore();
    const blob = Buffer.from('blob');
    await store.put('h', blob);
    blob.fill(0);
    const read = (await store.get('h'))!;
    read.fill(1);
    expect(await store.get('h')).toEqual(Buffer.from('blob'));
    expect(store.hashes()).toEqual(['h']);
  });
});
