import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  type CheckpointManifest,
  manifestAppliedOffsets,
  manifestHashOf,
  manifestRange,
  manifestTotalSize,
  type ManifestInput,
  parseManifest,
  serializeManifest,
  verifyManifest,
} from './checkpoint-manifest.model.js';
import { EMPTY_CONTENT_HASH, sha256Hex } from './content-address.model.js';

const hashA = sha256Hex(Buffer.from('a'));
const hashB = sha256Hex(Buffer.from('b'));
const input: ManifestInput = {
  checkpointId: 'ckpt-0001',
  shardId: 'shard-7',
  range: { lo: 1n << 62n, hi: 1n << 64n },
  appliedOffsets: new Map([
    [10, 123n],
    [2, 9_007_199_254_740_993n],
  ]),
  createdAtMs: 1_750_000_000_000,
  tier: 'fast',
  kind: 'fast-restore',
  chunks: [
    { hash: hashA, size: 65_536, compressedSize: 20_000 },
    { hash: hashB, size: 1_000, compressedSize: 400 },
  ],
  contentHash: sha256Hex(Buffer.from('whole')),
};

/** Re-signs a tampered body, as someone rebuilding a manifest by hand would. */
function resigned(manifest: CheckpointManifest, changes: Record<string, unknown>): unknown {
  const body = { ...manifest, ...changes } as CheckpointManifest;
  return { ...body, manifestHash: manifestHashOf(body) };
}

function withoutField(manifest: CheckpointManifest, field: keyof CheckpointManifest): unknown {
  const copy: Record<string, unknown> = { ...manifest };
  delete copy[field];
  return copy;
}

function reasonFor(value: unknown): string {
  const parsed = parseManifest(value);
  if (parsed.ok) throw new Error('expected a rejection');
  return parsed.reason;
}

describe('buildManifest', () => {
  it('writes 64-bit numbers as decimal strings and offsets by partition', () => {
    const manifest = buildManifest(input);
    expect(manifest.version).toBe(1);
    expect(manifest.range).toEqual({ lo: '4611686018427387904', hi: '18446744073709551616' });
    expect(manifest.appliedOffsets).toEqual({ '2': '9007199254740993', '10': '123' });
    expect(manifestRange(manifest)).toEqual(input.range);
    expect(manifestAppliedOffsets(manifest)).toEqual(input.appliedOffsets);
    expect(manifestTotalSize(manifest)).toBe(66_536);
  });

  it('keeps only the listed chunk fields of packed chunks', () => {
    const packed = [{ ...input.chunks[0]!, blob: Buffer.from('x') }];
    expect(buildManifest({ ...input, chunks: packed }).chunks).toEqual([input.chunks[0]]);
  });

  it('refuses to build a malformed manifest', () => {
    expect(() => buildManifest({ ...input, range: { lo: 5n, hi: 5n } })).toThrow(
      'range: lo must be below hi',
    );
    expect(() => buildManifest({ ...input, contentHash: 'nope' })).toThrow('contentHash');
  });
});

describe('verifyManifest', () => {
  it('accepts a freshly built manifest', () => {
    expect(verifyManifest(buildManifest(input))).toEqual({ ok: true });
  });

  it.each<[string, Record<string, unknown>]>([
    ['the shard', { shardId: 'shard-8' }],
    ['the range', { range: { lo: '0', hi: '18446744073709551616' } }],
    ['an applied offset', { appliedOffsets: { '2': '9007199254740993', '10': '124' } }],
    ['the creation time', { createdAtMs: 1_750_000_000_001 }],
    ['the tier', { tier: 'slow' }],
    ['the kind', { kind: 'standard' }],
    ['the chunk order', { chunks: [input.chunks[1], input.chunks[0]] }],
    ['a chunk size', { chunks: [{ ...input.chunks[0], size: 65_535 }, input.chunks[1]] }],
    ['the content hash', { contentHash: hashA }],
  ])('detects a change of %s', (_, change) => {
    const tampered = { ...buildManifest(input), ...change } as CheckpointManifest;
    const result = verifyManifest(tampered);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^manifestHash is/);
  });
});

describe('parseManifest', () => {
  const manifest = buildManifest(input);

  it('round-trips through its canonical JSON', () => {
    const json = serializeManifest(manifest);
    expect(json.startsWith('{"appliedOffsets":{"10":"123","2":"9007199254740993"},"checkpointId"')).toBe(
      true,
    );
    expect(parseManifest(json)).toEqual({ ok: true, value: manifest });
  });

  it('accepts an empty snapshot whose content hash is that of no bytes', () => {
    const empty = buildManifest({
      ...input,
      chunks: [],
      contentHash: EMPTY_CONTENT_HASH,
      appliedOffsets: new Map(),
    });
    expect(parseManifest(serializeManifest(empty)).ok).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['text that is not JSON', '{"version":', 'not JSON'],
    ['an array', [], 'manifest: must be an object'],
    ['an unknown field', { ...manifest, extra: 1 }, 'manifest: unknown field "extra"'],
    ['a missing field', withoutField(manifest, 'tier'), 'manifest: missing field "tier"'],
    ['another version', resigned(manifest, { version: 2 }), 'version: must be 1'],
    [
      'an empty shard id',
      resigned(manifest, { shardId: '' }),
      'shardId: must be a string of 1..128 characters',
    ],
    [
      'a numeric range bound',
      resigned(manifest, { range: { lo: 0, hi: '5' } }),
      'range.lo: must be a decimal string',
    ],
    [
      'a range bound with a leading zero',
      resigned(manifest, { range: { lo: '01', hi: '5' } }),
      'range.lo: must be a decimal string',
    ],
    [
      'hi above 2^64',
      resigned(manifest, { range: { lo: '0', hi: '18446744073709551617' } }),
      'range.hi: must be at most 2^64',
    ],
    ['an inverted range', resigned(manifest, { range: { lo: '9', hi: '5' } }), 'range: lo must be below hi'],
    [
      'an extra range field',
      resigned(manifest, { range: { lo: '0', hi: '5', mid: '2' } }),
      'range: unknown field "mid"',
    ],
    [
      'a partition that is not a number',
      resigned(manifest, { appliedOffsets: { p1: '5' } }),
      'appliedOffsets: "p1" is not a partition number',
    ],
    [
      'a negative offset',
      resigned(manifest, { appliedOffsets: { '1': '-1' } }),
      'appliedOffsets.1: must be a decimal offset string',
    ],
    [
      'an offset above int64',
      resigned(manifest, { appliedOffsets: { '1': '9223372036854775808' } }),
      'appliedOffsets.1: must be a decimal offset string',
    ],
    [
      'a fractional time',
      resigned(manifest, { createdAtMs: 1.5 }),
      'createdAtMs: must be a non-negative integer',
    ],
    ['an unknown tier', resigned(manifest, { tier: 'tape' }), 'tier: must be one of fast, slow'],
    ['an unknown kind', resigned(manifest, { kind: 'quick' }), 'kind: must be one of fast-restore, standard'],
    [
      'an uppercase chunk hash',
      resigned(manifest, { chunks: [{ hash: hashA.toUpperCase(), size: 1, compressedSize: 1 }] }),
      'chunks[0].hash: must be 64 lowercase hex characters',
    ],
    [
      'a zero-size chunk',
      resigned(manifest, { chunks: [{ hash: hashA, size: 0, compressedSize: 1 }] }),
      'chunks[0].size: must be a positive integer',
    ],
    [
      'a chunk without compressedSize',
      resigned(manifest, { chunks: [{ hash: hashA, size: 1 }] }),
      'chunks[0]: missing field "compressedSize"',
    ],
    [
      'an empty snapshot with content',
      resigned(manifest, { chunks: [] }),
      'contentHash: an empty snapshot must have the hash of no bytes',
    ],
    [
      'a wrong manifest hash',
      { ...manifest, manifestHash: hashA },
      `manifestHash is ${hashA} but the fields hash to ${manifest.manifestHash}`,
    ],
    [
      'a malformed manifest hash',
      { ...manifest, manifestHash: 'abc' },
      'manifestHash: must be 64 lowercase hex characters',
    ],
  ])('rejects %s', (_, value, reason) => {
    expect(reasonFor(value)).toContain(reason);
  });
});
