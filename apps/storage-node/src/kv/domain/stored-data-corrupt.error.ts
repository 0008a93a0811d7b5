/**
 * Bytes read back from the replica's own LMDB do not decode. Unlike a bad message on the
 * wire this is not the sender's fault and cannot be skipped: the replica must be rebuilt.
 */
export class StoredDataCorruptError extends Error {
  constructor(
    readonly what: 'stored key' | 'stored value',
    readonly reason: string,
  ) {
    super(`corrupt ${what}: ${reason}`);
    this.name = 'StoredDataCorruptError';
  }
}
