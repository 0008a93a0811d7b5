import { describe, expect, it } from 'vitest';
import { planApplyBatch, resumeOffsets } from './apply-batch.planner.js';

interface Rec {
  partition: number;
  offset: bigint;
  id: string;
}
const rec = (partition: number, offset: bigint): Rec => ({ partition, offset, id: `${partition}:${offset}` });
const ids = (records: readonly Rec[]): string[] => records.map((r) => r.id);

describe('planApplyBatch', () => {
  it('applies a contiguous batch and advances each partition to its last offset', () => {
    const plan = planApplyBatch(
      [rec(0, 5n), rec(1, 8n), rec(0, 6n)],
      new Map([
        [0, 4n],
        [1, 7n],
      ]),
      { onGap: 'stop' },
    );
    expect(ids(plan.toApply)).toEqual(['0:5', '1:8', '0:6']);
    expect(plan.newAppliedOffsets).toEqual(
      new Map([
        [0, 6n],
        [1, 8n],
      ]),
    );
    expect(plan.gaps).toEqual([]);
  });

  it('never applies a record twice when the batch is replayed after a crash', () => {
    // Given: the first batch committed records up to 0:7 together with the offsets, then the node crashed
    // before Kafka learned of it, so the consumer delivers 0:5..0:9 again.
    const first = planApplyBatch([rec(0, 5n), rec(0, 6n), rec(0, 7n)], new Map([[0, 4n]]), { onGap: 'stop' });
    const committed = first.newAppliedOffsets;

    // When: the same records and two new ones arrive on restart.
    const replay = planApplyBatch([rec(0, 5n), rec(0, 6n), rec(0, 7n), rec(0, 8n), rec(0, 9n)], committed, {
      onGap: 'stop',
    });

    // Then: only the new ones are applied, and every offset is applied exactly once overall.
    expect(ids(replay.alreadyApplied)).toEqual(['0:5', '0:6', '0:7']);
    expect(ids(replay.toApply)).toEqual(['0:8', '0:9']);
    expect([...ids(first.toApply), ...ids(replay.toApply)]).toEqual(['0:5', '0:6', '0:7', '0:8', '0:9']);
    expect(replay.newAppliedOffsets.get(0)).toBe(9n);
  });

  it('applies nothing and keeps the offsets when the crash happened after the commit of the whole batch', () => {
    const plan = planApplyBatch([rec(2, 3n), rec(2, 4n)], new Map([[2, 4n]]), { onGap: 'stop' });
    expect(plan.toApply).toEqual([]);
    expect(plan.newAppliedOffsets).toEqual(new Map([[2, 4n]]));
  });

  it('skips a record delivered twice within one batch', () => {
    const plan = planApplyBatch([rec(0, 1n), rec(0, 2n), rec(0, 2n)], new Map([[0, 0n]]), { onGap: 'stop' });
    expect(ids(plan.toApply)).toEqual(['0:1', '0:2']);
    expect(ids(plan.alreadyApplied)).toEqual(['0:2']);
  });

  it('with policy stop, holds back a partition at its first gap and lets other partitions go on', () => {
    const plan = planApplyBatch(
      [rec(0, 5n), rec(0, 7n), rec(1, 3n), rec(0, 8n)],
      new Map([
        [0, 4n],
        [1, 2n],
      ]),
      {
        onGap: 'stop',
      },
    );
    expect(ids(plan.toApply)).toEqual(['0:5', '1:3']);
    expect(ids(plan.heldBack)).toEqual(['0:7', '0:8']);
    expect(plan.gaps).toEqual([{ partition: 0, expectedOffset: 6n, actualOffset: 7n }]);
    expect(plan.newAppliedOffsets).toEqual(
      new Map([
        [0, 5n],
        [1, 3n],
      ]),
    );
    expect(resumeOffsets(plan.newAppliedOffsets).get(0)).toBe(6n);
  });

  it('with policy accept, reports the gap of a compacted log and applies past it', () => {
    const plan = planApplyBatch([rec(0, 5n), rec(0, 9n)], new Map([[0, 4n]]), { onGap: 'accept' });
    expect(ids(plan.toApply)).toEqual(['0:5', '0:9']);
    expect(plan.gaps).toEqual([{ partition: 0, expectedOffset: 6n, actualOffset: 9n }]);
    expect(plan.newAppliedOffsets.get(0)).toBe(9n);
  });

  it('starts a partition with nothing applied at whatever offset comes first', () => {
    const plan = planApplyBatch([rec(3, 40n), rec(3, 41n)], new Map(), { onGap: 'stop' });
    expect(ids(plan.toApply)).toEqual(['3:40', '3:41']);
    expect(plan.gaps).toEqual([]);
    expect(plan.newAppliedOffsets.get(3)).toBe(41n);
  });

  it('does not modify the offsets it was given', () => {
    const applied = new Map([[0, 4n]]);
    planApplyBatch([rec(0, 5n)], applied, { onGap: 'stop' });
    expect(applied.get(0)).toBe(4n);
  });
});

describe('resumeOffsets', () => {
  it('seeks one past the applied offset', () => {
    expect(
      resumeOffsets(
        new Map([
          [0, 9n],
          [5, 0n],
        ]),
      ),
    ).toEqual(
      new Map([
        [0, 10n],
        [5, 1n],
      ]),
    );
  });
});
