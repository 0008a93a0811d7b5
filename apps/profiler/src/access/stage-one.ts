import {
  HEADERS,
  TOPICS,
  headerString,
  keyHash,
  type AccessSummaryV1,
  type RawAccessV1,
  type RawHeaders,
} from '@shardcast/contracts';
import { ShardMap, type ShardRecord } from '../shard-map/domain/shard-map.js';
import { AccessAggregator, type WindowSummary } from './domain/access-aggregator.js';
import { decodeAccess } from './raw-access.decoder.js';
import { scanRawAccess, type ScannedAccess } from './raw-access.scanner.js';
import { XXH64_OUT, xxh64Range } from './xxh64.js';

/**
 * Stage 1 of every lane of an instance, behind one message protocol, so that it can run on a thread
 * of its own (`stage-one.worker.ts`) while the consumer thread decodes Kafka's fetches, or inline.
 *
 * The consumer thread packs each batch's messages into a chunk and sends it; stage 1 reads every
 * message, counts raw events in their shard's window, and answers with what it could not count:
 * summaries (stage 2's, on the consumer thread) and messages to dead-letter, each with its index in
 * the chunk. Requests are handled in the order sent and answered in that order, which is what makes a
 * flush's cut consistent: a drain answers for exactly the chunks sent before it, and its answer comes
 * after theirs.
 */
export interface StageOneLaneOptions {
  windowMs: number;
  sampleSize: number;
  topKeyCount: number;
}

/**
 * A batch's messages: message i's value is `bytes[ranges[2i], ranges[2i] + ranges[2i + 1])`, or a
 * tombstone when that length is −1. `declared` lists, by index, the event names of messages whose
 * headers name one other than `access.v1`'s, the only header the decoder reads.
 */
export interface StageOneChunk {
  type: 'chunk';
  laneId: number;
  count: number;
  bytes: Uint8Array;
  ranges: Int32Array;
  declared: [index: number, event: string][];
}

export type StageOneRequest =
  | { type: 'open'; laneId: number; options: StageOneLaneOptions }
  | { type: 'close'; laneId: number }
  | { type: 'map'; records: ShardRecord[] }
  | StageOneChunk
  | { type: 'drain'; laneId: number };

/** A message of a chunk that stage 1 leaves to the consumer thread. */
export type DeferredMessage = { index: number; summary: AccessSummaryV1 } | { index: number; reason: string };

export interface ChunkAnswer {
  type: 'chunk';
  laneId: number;
  /** Raw events counted in a window. */
  counted: number;
  /** Raw events no active shard covers. */
  unroutable: number;
  /** Index of the first raw event counted, −1 for none: its offset names the summaries it goes into. */
  firstCounted: number;
  deferred: DeferredMessage[];
}

export interface DrainAnswer {
  type: 'drain';
  laneId: number;
  summaries: WindowSummary[];
}

export type StageOneAnswer = ChunkAnswer | DrainAnswer;

/** What `packChunk` reads of a message (a kafkajs message has it). */
export interface PackableMessage {
  value: Buffer | null;
  headers?: RawHeaders | undefined;
}

/**
 * The chunk of `messages[first..]`, built on the consumer thread. kafkajs hands over an uncompressed
 * fetch's values as views of the one response buffer, in order: then the span they lie in is copied
 * once (framing bytes between them included) and each message is only its range in it. Values from
 * several buffers (compressed batches) are copied one by one instead.
 */
export function packChunk(
  laneId: number,
  messages: readonly PackableMessage[],
  first: number,
): StageOneChunk {
  const count = messages.length - first;
  const ranges = new Int32Array(2 * count);
  const declared: [number, string][] = [];
  // One pass, as if the values lie in one buffer in order (ranges from the first value's offset);
  // a second only when they do not. Each message is touched once: a batch is larger than the caches.
  let shared: ArrayBufferLike | undefined;
  let spanStart = 0;
  let spanEnd = 0;
  let oneSpan = true;
  let size = 0;
  for (let index = 0; index < count; index++) {
    const message = messages[first + index]!;
    // The only header reading depends on; the common case (none, or access.v1) is not sent.
    const headers = message.headers;
    if (headers !== undefined && headers[HEADERS.event] !== undefined) {
      const event = headerString(headers, HEADERS.event);
      if (event !== undefined && event !== TOPICS.access.event) declared.push([index, event]);
    }
    const value = message.value;
    if (value === null) {
      ranges[2 * index + 1] = -1;
      continue;
    }
    const length = value.length;
    const offset = value.byteOffset;
    size += length;
    if (shared === undefined) {
      shared = value.buffer;
      spanStart = offset;
    } else if (offset < spanEnd || value.buffer !== shared) oneSpan = false;
    spanEnd = offset + length;
    ranges[2 * index] = offset - spanStart;
    ranges[2 * index + 1] = length;
  }
  let bytes: Uint8Array;
  if (shared === undefined) bytes = new Uint8Array(0);
  else if (oneSpan) {
    bytes = new Uint8Array(spanEnd - spanStart);
    bytes.set(new Uint8Array(shared, spanStart, spanEnd - spanStart));
  } else {
    bytes = new Uint8Array(size);
    let at = 0;
    for (let index = 0; index < count; index++) {
      const value = messages[first + index]!.value;
      if (value === null) continue;
      ranges[2 * index] = at;
      bytes.set(value, at);
      at += value.length;
    }
  }
  return { type: 'chunk', laneId, count, bytes, ranges, declared };
}

export class StageOne {
  private map = new ShardMap();
  private readonly lanes = new Map<number, AccessAggregator>();
  private readonly scanned: ScannedAccess = {
    ts: 0,
    isWrite: false,
    bytes: 0,
    keyStart: -1,
    keyEnd: -1,
    keyHash: undefined,
  };

  handle(request: StageOneRequest): StageOneAnswer | undefined {
    switch (request.type) {
      case 'open':
        this.lanes.set(request.laneId, new AccessAggregator({ ...request.options, random: Math.random }));
        return undefined;
      case 'close':
        this.lanes.delete(request.laneId);
        return undefined;
      case 'map':
        this.map = ShardMap.of(request.records);
        return undefined;
      case 'chunk':
        return this.chunk(request);
      case 'drain':
        return {
          type: 'drain',
          laneId: request.laneId,
          summaries: this.lanes.get(request.laneId)?.drain() ?? [],
        };
    }
  }

  private chunk(chunk: StageOneChunk): ChunkAnswer {
    const answer: ChunkAnswer = {
      type: 'chunk',
      laneId: chunk.laneId,
      counted: 0,
      unroutable: 0,
      firstCounted: -1,
      deferred: [],
    };
    // A chunk of a lane closed meanwhile is answered all the same (the sender counts answers), unread.
    const aggregator = this.lanes.get(chunk.laneId);
    if (!aggregator) return answer;
    const { ranges, declared, count } = chunk;
    const bytes = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
    let nextDeclared = 0;
    for (let index = 0; index < count; index++) {
      const start = ranges[2 * index]!;
      const length = ranges[2 * index + 1]!;
      let event: string | undefined;
      if (nextDeclared < declared.length && declared[nextDeclared]![0] === index)
        event = declared[nextDeclared++]![1];
      let value: Buffer | null = null;
      if (length >= 0) {
        const end = start + length;
        if (start < 0 || end > bytes.length)
          throw new RangeError(`chunk of lane ${chunk.laneId}: message ${index} lies outside it`);
        // The hot path: a raw event in its plain form, read in place.
        if (event === undefined && this.countInPlace(aggregator, answer, index, bytes, start, end)) continue;
        value = bytes.subarray(start, end);
      }
      const decoded = decodeAccess({
        value,
        headers: event === undefined ? undefined : { [HEADERS.event]: event },
      });
      if (!decoded.ok) answer.deferred.push({ index, reason: decoded.reason });
      else if (decoded.value.kind === 'summary') answer.deferred.push({ index, summary: decoded.value });
      else {
        // A valid event the model refuses would otherwise fail every lane, and again on each replay.
        try {
          this.countDecoded(aggregator, answer, index, decoded.value);
        } catch (error) {
          answer.deferred.push({ index, reason: `handler rejected: ${(error as Error).message}` });
        }
      }
    }
    return answer;
  }

  private countDecoded(
    aggregator: AccessAggregator,
    answer: ChunkAnswer,
    index: number,
    access: RawAccessV1,
  ): void {
    const hash = access.key !== undefined ? keyHash(access.key) : BigInt(access.keyHash!);
    this.countHash(
      aggregator,
      answer,
      index,
      hash,
      access.key,
      access.ts,
      access.op === 'write',
      access.bytes,
    );
  }

  /** Routes an access by its key's hash (a BigInt: the general path) and counts it in its shard. */
  private countHash(
    aggregator: AccessAggregator,
    answer: ChunkAnswer,
    index: number,
    hash: bigint,
    key: string | undefined,
    atMs: number,
    isWrite: boolean,
    bytes: number,
  ): void {
    const shardId = this.map.locate(hash);
    if (shardId === undefined) answer.unroutable++;
    else {
      aggregator.add(shardId, atMs, hash, key, isWrite, bytes);
      counted(answer, index);
    }
  }

  /**
   * Counts `buf[start, end)` if it is a raw event in its plain form (see `scanRawAccess`); false, having
   * done nothing, when it needs the general decoder.
   */
  private countInPlace(
    aggregator: AccessAggregator,
    answer: ChunkAnswer,
    index: number,
    buf: Buffer,
    start: number,
    end: number,
  ): boolean {
    const scanned = this.scanned;
    if (!scanRawAccess(buf, scanned, start, end)) return false;
    if (scanned.keyStart < 0) {
      const hash = BigInt(scanned.keyHash!);
      this.countHash(aggregator, answer, index, hash, undefined, scanned.ts, scanned.isWrite, scanned.bytes);
      return true;
    }
    // The key's hash straight from its bytes (ASCII, so they are its UTF-8): no string, no BigInt.
    xxh64Range(buf, scanned.keyStart, scanned.keyEnd);
    const high = XXH64_OUT[0]!;
    const low = XXH64_OUT[1]!;
    const shardId = this.map.locateParts(high, low);
    if (shardId === undefined) {
      answer.unroutable++;
      return true;
    }
    aggregator.addBytes(
      shardId,
      scanned.ts,
      high,
      low,
      buf,
      scanned.keyStart,
      scanned.keyEnd,
      scanned.isWrite,
      scanned.bytes,
    );
    counted(answer, index);
    return true;
  }
}

function counted(answer: ChunkAnswer, index: number): void {
  if (answer.firstCounted < 0) answer.firstCounted = index;
  answer.counted++;
}
