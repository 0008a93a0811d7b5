import { type DecodeResult } from '../../kv/domain/index.js';
import { type ShardDescriptor } from './shard-descriptor.model.js';

/** Which shards of the static map a node holds: all, none, or the listed ids. */
export type StaticShardSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'list'; readonly shardIds: readonly string[] };

const SHARD_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function parseStaticShardSelection(text: string): DecodeResult<StaticShardSelection> {
  const trimmed = text.trim();
  if (trimmed === 'all' || trimmed === '') return { ok: true, value: { kind: 'all' } };
  if (trimmed === 'none') return { ok: true, value: { kind: 'none' } };
  const shardIds = trimmed.split(',').map((part) => part.trim());
  for (const shardId of shardIds) {
    if (!SHARD_ID.test(shardId)) return { ok: false, reason: `"${shardId}" is not a shard id` };
  }
  if (new Set(shardIds).size !== shardIds.length) return { ok: false, reason: 'a shard is listed twice' };
  return { ok: true, value: { kind: 'list', shardIds } };
}

/**
 * The shards of the static map this node holds, given the map (from libs/contracts'
 * `initialShards`) and the selection; an id that is not in the map is an error, so a typo
 * does not leave a node silently empty.
 */
export function selectStaticShards(
  map: readonly ShardDescriptor[],
  selection: StaticShardSelection,
): DecodeResult<ShardDescriptor[]> {
  switch (selection.kind) {
    case 'all':
      return { ok: true, value: [...map] };
    case 'none':
      return { ok: true, value: [] };
    case 'list': {
      const byId = new Map(map.map((shard) => [shard.shardId, shard]));
      const chosen: ShardDescriptor[] = [];
      for (const shardId of selection.shardIds) {
        const shard = byId.get(shardId);
        if (shard === undefined) {
          return { ok: false, reason: `${shardId} is not in the static map of ${map.length} shards` };
        }
        chosen.push(shard);
      }
      return { ok: true, value: chosen };
    }
  }
}
