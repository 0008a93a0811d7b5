import { describe, expect, it } from 'vitest';
import { ReadWriteLock } from './read-write.lock.js';

describe('ReadWriteLock', () => {
  it('lets readers share, makes a writer wait for them, and lets no reader in ahead of a waiting writer', async () => {
    const lock = new ReadWriteLock();
    const events: string[] = [];
    const reader1 = await lock.acquireShared();
    const reader2 = await lock.acquireShared();
    const writer = lock.acquireExclusive().then((release) => {
      events.push('writer');
      return release;
    });
    const lateReader = lock.acquireShared().then((release) => {
      events.push('late reader');
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    reader1();
    reader2();
    (await writer)();
    (await lateReader)();
    expect(events).toEqual(['writer', 'late reader']);
  });
});
