/**
 * Where one node keeps checkpoint chunk blobs, by the SHA-256 of their uncompressed bytes.
 * Content addressing makes `put` idempotent: any two blobs under one hash decode to the
 * same bytes, so a put of an existing hash may keep either.
 */
export interface ChunkStore {
  put(hash: string, blob: Buffer): Promise<void>;
  /** undefined when this node does not hold the chunk. */
  get(hash: string): Promise<Buffer | undefined>;
  has(hash: string): Promise<boolean>;
  delete(hash: string): Promise<void>;
}
