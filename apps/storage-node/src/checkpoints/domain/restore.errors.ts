/** Why one stored copy of a chunk could not be used. */
export type ChunkCopyProblem =
  /** The node answered that it does not hold the chunk. */
  | 'missing'
  /** The node could not be asked (unreachable, timeout, I/O error). */
  | 'fetch-failed'
  /** The blob does not decompress to the listed size. */
  | 'undecodable'
  /** The blob decompresses, but not to the bytes its address promises. */
  | 'hash-mismatch';

export interface ChunkCopyAttempt {
  readonly nodeId: string;
  readonly problem: ChunkCopyProblem;
  readonly detail: string;
}

export abstract class RestoreError extends Error {
  abstract readonly code: 'manifest-rejected' | 'chunk-unrecoverable' | 'content-hash-mismatch';
}

export class ManifestRejectedError extends RestoreError {
  readonly code = 'manifest-rejected' as const;

  constructor(readonly reason: string) {
    super(`manifest rejected: ${reason}`);
    this.name = 'ManifestRejectedError';
  }
}

/** No copy of a chunk could be fetched intact; `attempts` says what went wrong on which node. */
export class ChunkUnrecoverableError extends RestoreError {
  readonly code = 'chunk-unrecoverable' as const;

  constructor(
    readonly chunkHash: string,
    readonly chunkIndex: number,
    readonly attempts: readonly ChunkCopyAttempt[],
  ) {
    super(
      attempts.length === 0
        ? `chunk ${chunkIndex} (${chunkHash}) has no known location`
        : `chunk ${chunkIndex} (${chunkHash}) is unrecoverable: ` +
            attempts.map((attempt) => `${attempt.nodeId}: ${attempt.problem} (${attempt.detail})`).join('; '),
    );
    this.name = 'ChunkUnrecoverableError';
  }
}

/** Every chunk verified, yet the assembled snapshot is not the one the manifest describes. */
export class ContentHashMismatchError extends RestoreError {
  readonly code = 'content-hash-mismatch' as const;

  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`restored content hashes to ${actual}, the manifest says ${expected}`);
    this.name = 'ContentHashMismatchError';
  }
}
