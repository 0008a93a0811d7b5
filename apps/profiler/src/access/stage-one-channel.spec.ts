import { initialShards } from '@shardcast/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { ShardMap } from '../shard-map/domain/shard-map.js';
import { packChunk, type StageOneAnswer, type StageOneChunk } from './stage-one.js';
import { StageOneChannel, type StageOneClient } from './stage-one-channel.js';

const T0 = 1_700_000_000_000;
const OPTIONS = { windowMs: 1000, sampleSize: 8, topKeyCount: 4 };

/** A chunk of the given values (null: a tombstone), packed as the consumer thread packs a batch. */
function chunk(laneId: number, values: (string | null)[]): StageOneChunk {
  return packChunk(
    laneId,
    values.map((value) => ({ value: value === null ? null : Buffer.from(value) })),
    0,
  );
}

/** A client that records what it hears, and can wait for the n-th answer. */
function recorder() {
  const answers: StageOneAnswer[] = [];
  let failure: Error | undefined;
  let waiters: (() => void)[] = [];
  const client: StageOneClient = {
    answer: (answer) => {
      answers.push(answer);
      for (const wake of waiters) wake();
      waiters = [];
    },
    fail: (error) => {
      failure = error;
      for (const wake of waiters) wake();
      waiters = [];
    },
  };
  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { client, answers, failure: () => failure, until };
}

const events = (from: number, count: number) =>
  Array.from({ length: count }, (_, n) =>
    JSON.stringify({ ts: T0 + ((from + n) % 3) * 400, key: `user:${(from + n) % 7}`, op: 'read', bytes: 3 }),
  );

let channels: StageOneChannel[] = [];
afterEach(async () => {
  await Promise.all(channels.map((channel) => channel.stop()));
  channels = [];
});

function channel(mode: 'thread' | 'inline', onFailure?: (error: Error) => void): StageOneChannel {
  const made = new StageOneChannel(mode, onFailure);
  channels.push(made);
  return made;
}

describe('StageOneChannel', () => {
  it('on its thread, answers in order and drains exactly what the same requests give inline', async () => {
    const map = ShardMap.initial(initialShards(4));
    const run = async (mode: 'thread' | 'inline') => {
      const stageOne = channel(mode);
      const heard = recorder();
      const laneId = stageOne.open(heard.client, OPTIONS);
      stageOne.chunk(chunk(laneId, [...events(0, 500), '{"kind":"summary"', null]), map);
      stageOne.drain(laneId);
      stageOne.chunk(chunk(laneId, events(502, 300)), map);
      stageOne.drain(laneId);
      await heard.until(() => heard.answers.length === 4);
      return heard.answers;
    };
    const threaded = await run('thread');
    expect(threaded.map((answer) => answer.type)).toEqual(['chunk', 'drain', 'chunk', 'drain']);
    const [first, drained] = threaded as [Extract<StageOneAnswer, { type: 'chunk' }>, StageOneAnswer];
    expect([first.counted, first.unroutable]).toEqual([500, 0]);
    expect(first.deferred.map((deferred) => deferred.index)).toEqual([500, 501]);
    expect(drained.type === 'drain' && drained.summaries.reduce((sum, s) => sum + s.reads, 0)).toBe(500);
    expect(first.firstCounted).toBe(0);
    const inline = await run('inline');
    // The samples are random on each side; everything else is the same.
    const withoutSamples = (answers: StageOneAnswer[]) =>
      answers.map((answer) =>
        answer.type === 'drain'
          ? {
              ...answer,
              summaries: answer.summaries.map((s) => ({ ...s, sampleHashes: s.sampleHashes.length })),
            }
          : answer,
      );
    expect(withoutSamples(threaded)).toEqual(withoutSamples(inline));
  });

  it('routes each chunk by the shard map as it was when the chunk was sent', async () => {
    const map = ShardMap.initial(initialShards(1));
    const stageOne = channel('thread');
    const heard = recorder();
    const laneId = stageOne.open(heard.client, OPTIONS);
    stageOne.chunk(chunk(laneId, events(0, 10)), map);
    map.apply({ ...map.get('shard-000')!, epoch: 1, status: 'retired' });
    stageOne.chunk(chunk(laneId, events(10, 10)), map);
    await heard.until(() => heard.answers.length === 2);
    expect(
      heard.answers.map((answer) => answer.type === 'chunk' && [answer.counted, answer.unroutable]),
    ).toEqual([
      [10, 0],
      [0, 10],
    ]);
  });

  it('fails every lane, and reports it, when its thread dies', async () => {
    const failures: Error[] = [];
    const stageOne = channel('thread', (error) => failures.push(error));
    const heard = recorder();
    const laneId = stageOne.open(heard.client, OPTIONS);
    // A chunk whose ranges point past its bytes: reading it throws in the worker.
    stageOne.chunk(
      { ...chunk(laneId, ['{}']), ranges: Int32Array.of(0, 999) },
      ShardMap.initial(initialShards(1)),
    );
    await heard.until(() => heard.failure() !== undefined);
    expect(heard.failure()!.message).toMatch(/stage-1 worker failed/);
    expect(failures).toHaveLength(1);
    // A new lane gets a new thread.
    const again = recorder();
    const next = stageOne.open(again.client, OPTIONS);
    stageOne.drain(next);
    await again.until(() => again.answers.length === 1);
    expect(again.answers[0]).toMatchObject({ type: 'drain', summaries: [] });
  });

  it('inline too, fails every lane and reports it when stage 1 throws, and leaves no chunk counted', () => {
    const failures: Error[] = [];
    const stageOne = channel('inline', (error) => failures.push(error));
    const heard = recorder();
    const laneId = stageOne.open(heard.client, OPTIONS);
    const map = ShardMap.initial(initialShards(1));
    for (let n = 0; n < 10; n++)
      stageOne.chunk({ ...chunk(laneId, ['{}']), ranges: Int32Array.of(0, 999) }, map);
    expect(heard.failure()).toBeDefined();
    expect(failures).toHaveLength(10);
    expect(stageOne.room()).toBeUndefined();
  });

  it('fails the lane, not the process, when the lane cannot take its answer', async () => {
    const failures: Error[] = [];
    const stageOne = channel('thread', (error) => failures.push(error));
    let failed: Error | undefined;
    const laneId = stageOne.open(
      {
        answer: () => {
          throw new Error('stage 2 refused');
        },
        fail: (error) => (failed = error),
      },
      OPTIONS,
    );
    stageOne.drain(laneId);
    while (failed === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(failed.message).toBe('stage 2 refused');
    expect(failures.map((error) => error.message)).toEqual(['stage 2 refused']);
  });

  it('makes the consumer wait while too many chunks are unanswered', async () => {
    const stageOne = channel('thread');
    const heard = recorder();
    const laneId = stageOne.open(heard.client, OPTIONS);
    const map = ShardMap.initial(initialShards(1));
    expect(stageOne.room()).toBeUndefined();
    for (let n = 0; n < 8; n++) stageOne.chunk(chunk(laneId, events(n * 10, 10)), map);
    const room = stageOne.room();
    expect(room).toBeInstanceOf(Promise);
    await room;
    expect(heard.answers.length).toBeGreaterThan(0);
  });
});
