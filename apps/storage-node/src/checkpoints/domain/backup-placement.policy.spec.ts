import { describe, expect, it } from 'vitest';
import { type BackupCandidate, planBackupPlacement, selectBackupNodes } from './backup-placement.policy.js';
import { sha256Hex } from './content-address.model.js';

const nodes = (count: number, weight = 1): BackupCandidate[] =>
  Array.from({ length: count }, (_, index) => ({ nodeId: `node-${index}`, weight }));
const chunkHashes = Array.from({ length: 2000 }, (_, index) => sha256Hex(Buffer.from(`chunk-${index}`)));

function assign(candidates: BackupCandidate[], replicas: string[] = []): Map<string, readonly string[]> {
  const plan = planBackupPlacement(chunkHashes, candidates, { shardReplicaNodeIds: replicas });
  if (!plan.ok) throw new Error(plan.reason);
  return new Map(plan.assignments);
}

describe('backup node selection', () => {
  it('picks two distinct nodes, never a replica of the shard', () => {
    const replicas = ['node-0', 'node-3'];
    for (const [, picked] of assign(nodes(6), replicas)) {
      expect(picked).toHaveLength(2);
      expect(new Set(picked).size).toBe(2);
      expect(picked.some((nodeId) => replicas.includes(nodeId))).toBe(false);
    }
  });

  it('is deterministic and independent of the candidate order', () => {
    const forward = selectBackupNodes(chunkHashes[0]!, nodes(8), { shardReplicaNodeIds: [] });
    const reversed = selectBackupNodes(chunkHashes[0]!, nodes(8).reverse(), { shardReplicaNodeIds: [] });
    expect(forward).toEqual(reversed);
  });

  it('moves only the chunks the new node wins when a node joins', () => {
    const before = assign(nodes(10));
    const after = assign([...nodes(10), { nodeId: 'node-new', weight: 1 }]);
    let moved = 0;
    for (const hash of chunkHashes) {
      const old = before.get(hash)!;
      const now = after.get(hash)!;
      if (old.join() === now.join()) continue;
      moved += 1;
      // The only change is the newcomer taking one place; the other copy stays put.
      expect(now).toContain('node-new');
      expect(now.filter((nodeId) => old.includes(nodeId))).toHaveLength(1);
    }
    // About 2/11 of the chunks have the newcomer among their two best nodes.
    expect(moved / chunkHashes.length).toBeGreaterThan(0.1);
    expect(moved / chunkHashes.length).toBeLessThan(0.26);
  });

  it('moves only the chunks the departed node held when a node leaves', () => {
    const before = assign(nodes(10));
    const after = assign(nodes(10).filter((node) => node.nodeId !== 'node-4'));
    for (const hash of chunkHashes) {
      const old = before.get(hash)!;
      const now = after.get(hash)!;
      if (old.includes('node-4')) {
        expect(now).toContain(old.find((nodeId) => nodeId !== 'node-4'));
      } else {
        expect(now).toEqual(old);
      }
    }
  });

  it('gives a node a share of first copies in proportion to its weight', () => {
    const candidates = [
      { nodeId: 'small', weight: 1 },
      { nodeId: 'large', weight: 3 },
    ];
    const plan = planBackupPlacement(chunkHashes, candidates, { shardReplicaNodeIds: [], copies: 1 });
    if (!plan.ok) throw new Error(plan.reason);
    const large = [...plan.assignments.values()].filter(([first]) => first === 'large').length;
    expect(large / chunkHashes.length).toBeGreaterThan(0.7);
    expect(large / chunkHashes.length).toBeLessThan(0.8);
  });

  it('never picks a node of weight zero', () => {
    const candidates = [...nodes(3), { nodeId: 'draining', weight: 0 }];
    for (const [, picked] of assign(candidates)) expect(picked).not.toContain('draining');
  });

  it('reports when too few nodes are eligible', () => {
    expect(
      selectBackupNodes(chunkHashes[0]!, nodes(3), { shardReplicaNodeIds: ['node-0', 'node-1'] }),
    ).toEqual({
      ok: false,
      reason: 'not-enough-candidates',
      eligible: 1,
      required: 2,
    });
  });

  it('rejects duplicate nodes and invalid weights', () => {
    expect(() =>
      selectBackupNodes(chunkHashes[0]!, [...nodes(2), ...nodes(1)], { shardReplicaNodeIds: [] }),
    ).toThrow('listed twice');
    expect(() =>
      selectBackupNodes(chunkHashes[0]!, [{ nodeId: 'x', weight: Number.NaN }], { shardReplicaNodeIds: [] }),
    ).toThrow('invalid weight');
  });
});
