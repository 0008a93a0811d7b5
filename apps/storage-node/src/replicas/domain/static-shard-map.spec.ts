import { describe, expect, it } from 'vitest';
import { parseStaticShardSelection, selectStaticShards } from './static-shard-map.js';

const map = ['shard-000', 'shard-001', 'shard-002'].map((shardId, index) => ({
  shardId,
  lo: BigInt(index),
  hi: BigInt(index + 1),
  epoch: 0,
}));

describe('the static shard map', () => {
  it('selects all, none or the listed shards', () => {
    expect(parseStaticShardSelection('all')).toEqual({ ok: true, value: { kind: 'all' } });
    expect(parseStaticShardSelection('none')).toEqual({ ok: true, value: { kind: 'none' } });
    const list = parseStaticShardSelection('shard-002, shard-000');
    expect(list).toEqual({ ok: true, value: { kind: 'list', shardIds: ['shard-002', 'shard-000'] } });
    if (!list.ok) throw new Error('unreachable');
    expect(selectStaticShards(map, list.value)).toEqual({ ok: true, value: [map[2], map[0]] });
    expect(selectStaticShards(map, { kind: 'none' })).toEqual({ ok: true, value: [] });
  });

  it('refuses unknown and repeated ids', () => {
    expect(parseStaticShardSelection('shard-1,shard-1')).toMatchObject({ ok: false });
    expect(parseStaticShardSelection('bad id')).toMatchObject({ ok: false });
    expect(selectStaticShards(map, { kind: 'list', shardIds: ['shard-009'] })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not in the static map of 3/),
    });
  });
});
