import { describe, expect, it } from 'vitest';
import {
  hasCaughtUp,
  hasReachedTargets,
  planDerivation,
  startingOffsets,
} from './replica-derivation.planner.js';

const source = (replicaId: string, lo: bigint, hi: bigint) => ({
  replicaId,
  lo,
  hi,
  appliedOffsets: new Map<number, bigint>(),
});

describe('building a replica from replicas held here', () => {
  it('a split copies part of one source', () => {
    expect(planDerivation({ lo: 0n, hi: 50n }, [source('s', 0n, 100n)])).toEqual({
      slices: [{ replicaId: 's', lo: 0n, hi: 50n }],
    });
    expect(planDerivation({ lo: 50n, hi: 100n }, [source('s', 0n, 100n)])).toEqual({
      slices: [{ replicaId: 's', lo: 50n, hi: 100n }],
    });
  });

  it('a merge copies several adjacent sources in hash order', () => {
    expect(
      planDerivation({ lo: 0n, hi: 100n }, [source('right', 40n, 100n), source('left', 0n, 40n)]),
    ).toEqual({
      slices: [
        { replicaId: 'left', lo: 0n, hi: 40n },
        { replicaId: 'right', lo: 40n, hi: 100n },
      ],
    });
  });

  it('gives up when the sources leave a hole', () => {
    expect(
      planDerivation({ lo: 0n, hi: 100n }, [source('a', 0n, 40n), source('b', 50n, 100n)]),
    ).toBeUndefined();
    expect(planDerivation({ lo: 0n, hi: 100n }, [])).toBeUndefined();
  });

  it('starts a copy at the lowest offset of the sources that consume each partition', () => {
    const offsets = startingOffsets([
      {
        partitions: [0, 1],
        appliedOffsets: new Map([
          [0, 10n],
          [1, 7n],
        ]),
      },
      {
        partitions: [1, 2],
        appliedOffsets: new Map([
          [1, 5n],
          [2, 3n],
        ]),
      },
    ]);
    expect(offsets).toEqual(
      new Map([
        [0, 10n],
        [1, 5n],
        [2, 3n],
      ]),
    );
    // A source that applied nothing from a partition: the copy has nothing from it either.
    expect(
      startingOffsets([
        { partitions: [0], appliedOffsets: new Map([[0, 4n]]) },
        { partitions: [0], appliedOffsets: new Map() },
      ]),
    ).toEqual(new Map());
  });

  it('has caught up once at or past every source offset, and reached its targets once past each', () => {
    const sources = [{ partitions: [0, 1], appliedOffsets: new Map([[0, 10n]]) }];
    expect(hasCaughtUp(new Map([[0, 9n]]), sources)).toBe(false);
    expect(hasCaughtUp(new Map([[0, 10n]]), sources)).toBe(true);
    expect(
      hasReachedTargets(
        new Map([[0, 3n]]),
        new Map([
          [0, 3n],
          [1, 1n],
        ]),
      ),
    ).toBe(false);
    expect(
      hasReachedTargets(
        new Map([
          [0, 3n],
          [1, 2n],
        ]),
        new Map([
          [0, 3n],
          [1, 1n],
        ]),
      ),
    ).toBe(true);
  });
});
