import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChunkStore } from './domain/index.js';

/**
 * Checkpoint chunk blobs in one tier directory, `chunks/<first two hex>/<hash>`. A blob is
 * written to a temporary name and renamed, so a crash never leaves a half-written chunk
 * under its address.
 */
export class FileChunkStore implements ChunkStore {
  private readonly root: string;

  constructor(tierDir: string) {
    this.root = join(tierDir, 'chunks');
  }

  async put(hash: string, blob: Buffer): Promise<void> {
    const dir = join(this.root, hash.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temporary = join(dir, `.${hash}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(temporary, blob);
    await rename(temporary, this.path(hash));
  }

  async get(hash: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(hash));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async has(hash: string): Promise<boolean> {
    try {
      await stat(this.path(hash));
      return true;
    } catch {
      return false;
    }
  }

  async delete(hash: string): Promise<void> {
    await rm(this.path(hash), { force: true });
  }

  /** Where the blob of `hash` lives (tests flip bytes in it). */
  path(hash: string): string {
    return join(this.root, hash.slice(0, 2), hash);
  }
}
