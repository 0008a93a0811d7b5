import { type ChunkStore } from './chunk-store.port.js';

/** A ChunkStore in a Map, for tests. Blobs are copied in and out, as a disk would. */
export class InMemoryChunkStore implements ChunkStore {
  private readonly blobs = new Map<string, Buffer>();

  put(hash: string, blob: Buffer): Promise<void> {
    this.blobs.set(hash, Buffer.from(blob));
    return Promise.resolve();
  }

  get(hash: string): Promise<Buffer | undefined> {
    const blob = this.blobs.get(hash);
    return Promise.resolve(blob === undefined ? undefined : Buffer.from(blob));
  }

  has(hash: string): Promise<boolean> {
    return Promise.resolve(this.blobs.has(hash));
  }

  delete(hash: string): Promise<void> {
    this.blobs.delete(hash);
    return Promise.resolve();
  }

  get size(): number {
    return this.blobs.size;
  }

  hashes(): string[] {
    return [...this.blobs.keys()];
  }
}
