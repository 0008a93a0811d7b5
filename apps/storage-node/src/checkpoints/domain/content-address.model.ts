import { createHash } from 'node:crypto';

/** A chunk's address and a snapshot's content hash: SHA-256 in lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(text: unknown): text is string {
  return typeof text === 'string' && SHA256_HEX.test(text);
}

/** The content hash of an empty snapshot (a shard with no keys). */
export const EMPTY_CONTENT_HASH = sha256Hex(new Uint8Array(0));
