import { contentHasher } from '../checkpoints/domain/index.js';
import { type Replica } from './replica.js';

export interface ReplicaContent {
  readonly contentHash: string;
  readonly entries: number;
  readonly appliedOffsets: Record<string, string>;
}

/** The replica content hash (the checkpoint format's, see checkpoints/domain) at one consistent moment. */
export function replicaContent(replica: Replica): ReplicaContent {
  const release = replica.lease();
  const snapshot = replica.store.snapshot();
  try {
    const hasher = contentHasher();
    for (const { key, value } of snapshot.entries()) hasher.update(key, value);
    return {
      contentHash: hasher.digest(),
      entries: hasher.entries,
      appliedOffsets: Object.fromEntries(
        [...snapshot.appliedOffsets]
          .sort(([a], [b]) => a - b)
          .map(([partition, offset]) => [String(partition), offset.toString()]),
      ),
    };
  } finally {
    snapshot.release();
    release();
  }
}
