import { createHash } from 'node:crypto';
import {
  type AppliedOffsets,
  type DecodeResult,
  HASH_SPACE_END,
  isValidOffset,
  isValidPartition,
} from '../../kv/domain/index.js';
import { canonicalJson, isPlainObject } from './canonical-json.codec.js';
import { EMPTY_CONTENT_HASH, isSha256Hex } from './content-address.model.js';

export const MANIFEST_VERSION = 1;
export type CheckpointTier = 'fast' | 'slow';
export type CheckpointKind = 'fast-restore' | 'standard';
const TIERS: readonly string[] = ['fast', 'slow'] satisfies CheckpointTier[];
const KINDS: readonly string[] = ['fast-restore', 'standard'] satisfies CheckpointKind[];
/** As shard and node ids in libs/contracts. */
const MAX_ID_LENGTH = 128;

export interface ManifestChunk {
  /** SHA-256 hex of the uncompressed chunk: its address on the backup nodes. */
  readonly hash: string;
  /** Uncompressed bytes. */
  readonly size: number;
  /** Bytes of the blob as written with this checkpoint (for transfer planning only). */
  readonly compressedSize: number;
}

/**
 * The manifest of one checkpoint, in its JSON shape: 64-bit numbers are decimal strings.
 *
 * `contentHash` is the SHA-256 of the whole uncompressed snapshot rather than of the chunk
 * list: it does not depend on where the chunks were cut or how they were compressed, it
 * checks their assembly end to end, and it equals the replica content hash of the shard at
 * `appliedOffsets`, so a restored LMDB is checked against the manifest directly.
 * `manifestHash` is the SHA-256 of the canonical JSON of every other field.
 */
export interface CheckpointManifest {
  readonly version: typeof MANIFEST_VERSION;
  readonly checkpointId: string;
  readonly shardId: string;
  /** Half-open hash range [lo, hi) as decimal strings; hi may be 2^64. */
  readonly range: { readonly lo: string; readonly hi: string };
  /**
   * Partition → offset of the last record in the snapshot (decimal strings). A partition
   * the shard overlaps but that is absent had nothing applied: replay it from its start.
   */
  readonly appliedOffsets: Readonly<Record<string, string>>;
  readonly createdAtMs: number;
  readonly tier: CheckpointTier;
  readonly kind: CheckpointKind;
  /** In snapshot order; a hash may repeat when the snapshot repeats itself. */
  readonly chunks: readonly ManifestChunk[];
  readonly contentHash: string;
  readonly manifestHash: string;
}

export interface ManifestInput {
  readonly checkpointId: string;
  readonly shardId: string;
  readonly range: { readonly lo: bigint; readonly hi: bigint };
  readonly appliedOffsets: AppliedOffsets;
  readonly createdAtMs: number;
  readonly tier: CheckpointTier;
  readonly kind: CheckpointKind;
  readonly chunks: readonly ManifestChunk[];
  readonly contentHash: string;
}

export function buildManifest(input: ManifestInput): CheckpointManifest {
  const body: Omit<CheckpointManifest, 'manifestHash'> = {
    version: MANIFEST_VERSION,
    checkpointId: input.checkpointId,
    shardId: input.shardId,
    range: { lo: input.range.lo.toString(), hi: input.range.hi.toString() },
    appliedOffsets: Object.fromEntries(
      [...input.appliedOffsets]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => [String(partition), String(offset)]),
    ),
    createdAtMs: input.createdAtMs,
    tier: input.tier,
    kind: input.kind,
    // Only the listed fields: a PackedChunk passed here also carries its blob.
    chunks: input.chunks.map(({ hash, size, compressedSize }) => ({ hash, size, compressedSize })),
    contentHash: input.contentHash,
  };
  const manifest: CheckpointManifest = { ...body, manifestHash: manifestHashOf(body) };
  const problem = findShapeProblem(manifest);
  if (problem !== undefined) throw new RangeError(`invalid manifest: ${problem}`);
  return manifest;
}

/** SHA-256 hex of the canonical JSON of every field but `manifestHash`. */
export function manifestHashOf(manifest: Omit<CheckpointManifest, 'manifestHash'>): string {
  const { manifestHash: _ignored, ...body } = manifest as CheckpointManifest;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Checks the shape, then that `manifestHash` covers the rest. */
export function verifyManifest(manifest: CheckpointManifest): { ok: true } | { ok: false; reason: string } {
  const problem = findShapeProblem(manifest);
  if (problem !== undefined) return { ok: false, reason: problem };
  const actual = manifestHashOf(manifest);
  if (actual !== manifest.manifestHash) {
    return { ok: false, reason: `manifestHash is ${manifest.manifestHash} but the fields hash to ${actual}` };
  }
  return { ok: true };
}

/**
 * Parses a manifest given as JSON text or as an already parsed value. Strict: unknown or
 * missing fields, non-canonical numbers and a wrong manifestHash are all rejected.
 */
export function parseManifest(input: unknown): DecodeResult<CheckpointManifest> {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  // verifyManifest checks the shape before reading any field.
  const verified = verifyManifest(value as CheckpointManifest);
  return verified.ok ? { ok: true, value: value as CheckpointManifest } : verified;
}

/** The manifest as stored: canonical JSON, `manifestHash` included. */
export function serializeManifest(manifest: CheckpointManifest): string {
  return canonicalJson(manifest);
}

export function manifestRange(manifest: CheckpointManifest): { lo: bigint; hi: bigint } {
  return { lo: BigInt(manifest.range.lo), hi: BigInt(manifest.range.hi) };
}

export function manifestAppliedOffsets(manifest: CheckpointManifest): Map<number, bigint> {
  return new Map(
    Object.entries(manifest.appliedOffsets).map(([partition, offset]) => [Number(partition), BigInt(offset)]),
  );
}

export function manifestTotalSize(manifest: CheckpointManifest): number {
  return manifest.chunks.reduce((total, chunk) => total + chunk.size, 0);
}

const MANIFEST_FIELDS = [
  'version',
  'checkpointId',
  'shardId',
  'range',
  'appliedOffsets',
  'createdAtMs',
  'tier',
  'kind',
  'chunks',
  'contentHash',
  'manifestHash',
] as const;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The first thing wrong with the manifest's shape, or undefined. */
function findShapeProblem(value: unknown): string | undefined {
  const fieldsProblem = exactFields(value, MANIFEST_FIELDS, 'manifest');
  if (fieldsProblem !== undefined) return fieldsProblem;
  const manifest = value as Record<(typeof MANIFEST_FIELDS)[number], unknown>;

  if (manifest.version !== MANIFEST_VERSION) return `version: must be ${MANIFEST_VERSION}`;
  for (const field of ['checkpointId', 'shardId'] as const) {
    const id = manifest[field];
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      return `${field}: must be a string of 1..${MAX_ID_LENGTH} characters`;
    }
  }

  const rangeProblem = exactFields(manifest.range, ['lo', 'hi'], 'range');
  if (rangeProblem !== undefined) return rangeProblem;
  const { lo, hi } = manifest.range as Record<'lo' | 'hi', unknown>;
  if (!isDecimal(lo, 20)) return 'range.lo: must be a decimal string';
  if (!isDecimal(hi, 20)) return 'range.hi: must be a decimal string';
  if (BigInt(hi) > HASH_SPACE_END) return 'range.hi: must be at most 2^64';
  if (BigInt(lo) >= BigInt(hi)) return 'range: lo must be below hi';

  if (!isPlainObject(manifest.appliedOffsets)) return 'appliedOffsets: must be an object';
  for (const [partition, offset] of Object.entries(manifest.appliedOffsets)) {
    if (!isDecimal(partition, 10) || !isValidPartition(Number(partition))) {
      return `appliedOffsets: "${partition}" is not a partition number`;
    }
    if (!isDecimal(offset, 19) || !isValidOffset(BigInt(offset))) {
      return `appliedOffsets.${partition}: must be a decimal offset string`;
    }
  }

  if (!isNonNegativeSafeInteger(manifest.createdAtMs)) return 'createdAtMs: must be a non-negative integer';
  if (typeof manifest.tier !== 'string' || !TIERS.includes(manifest.tier))
    return `tier: must be one of ${TIERS.join(', ')}`;
  if (typeof manifest.kind !== 'string' || !KINDS.includes(manifest.kind))
    return `kind: must be one of ${KINDS.join(', ')}`;

  if (!Array.isArray(manifest.chunks)) return 'chunks: must be an array';
  let totalSize = 0;
  for (const [index, chunk] of (manifest.chunks as unknown[]).entries()) {
    const where = `chunks[${index}]`;
    const chunkProblem = exactFields(chunk, ['hash', 'size', 'compressedSize'], where);
    if (chunkProblem !== undefined) return chunkProblem;
    const { hash, size, compressedSize } = chunk as Record<'hash' | 'size' | 'compressedSize', unknown>;
    if (!isSha256Hex(hash)) return `${where}.hash: must be 64 lowercase hex characters`;
    if (!isNonNegativeSafeInteger(size) || size === 0) return `${where}.size: must be a positive integer`;
    if (!isNonNegativeSafeInteger(compressedSize) || compressedSize === 0) {
      return `${where}.compressedSize: must be a positive integer`;
    }
    totalSize += size;
    if (!Number.isSafeInteger(totalSize)) return 'chunks: total size is not a safe integer';
  }

  if (!isSha256Hex(manifest.contentHash)) return 'contentHash: must be 64 lowercase hex characters';
  if (manifest.chunks.length === 0 && manifest.contentHash !== EMPTY_CONTENT_HASH) {
    return 'contentHash: an empty snapshot must have the hash of no bytes';
  }
  if (!isSha256Hex(manifest.manifestHash)) return 'manifestHash: must be 64 lowercase hex characters';
  return undefined;
}

function exactFields(value: unknown, fields: readonly string[], where: string): string | undefined {
  if (!isPlainObject(value)) return `${where}: must be an object`;
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) return `${where}: unknown field "${key}"`;
  }
  for (const field of fields) {
    if (!Object.hasOwn(value, field)) return `${where}: missing field "${field}"`;
  }
  return undefined;
}

function isDecimal(value: unknown, maxDigits: number): value is string {
  return typeof value === 'string' && value.length <= maxDigits && DECIMAL.test(value);
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
