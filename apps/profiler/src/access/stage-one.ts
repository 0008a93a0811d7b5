import { HEADERS, keyHash, type AccessSummaryV1 } from '@shardcast/contracts';
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
 * A batch's messages: `values` holds, per message, its length (u32, little-endian; `NULL_VALUE` for
 * a tombstone) then its bytes. `declared` lists, by index, the event names of messages whose headers
 * name one other than `access.v1`'s, the only header the decoder reads.
 */
export interface StageOneChunk {
  type: 'chunk';
  laneId: number;
  count: number;
  values: Uint8Array;
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

export const NULL_VALUE = 0xffff_ffff;

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

  /** Lanes open (for tests). */
  get laneCount(): number {
    return this.lanes.size;
  }

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
    const { values, declared, count } = chunk;
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    let at = 0;
    let nextDeclared = 0;
    for (let index = 0; index < count; index++) {
      const length =
        (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
      at += 4;
      let event: string | undefined;
      if (nextDeclared < declared.length && declared[nextDeclared]![0] === index)
        event = declared[nextDeclared++]![1];
      let value: Buffer | null = null;
      if (length !== NULL_VALUE) {
        const start = at;
        at += length;
        if (at > bytes.length)
          throw new RangeError(`chunk of lane ${chunk.laneId} ends inside message ${index}`);
        // The hot path: a raw event in its plain form, read in place.
        if (event === undefined && this.countInPlace(aggregator, answer, index, bytes, start, at)) continue;
        value = bytes.subarray(start, at);
      }
      const decoded = decodeAccess({
        value,
        headers: event === undefined ? undefined : { [HEADERS.event]: event },
      });
      if (!decoded.ok) answer.deferred.push({ index, reason: decoded.reason });
      else if (decoded.value.kind === 'summary') answer.deferred.push({ index, summary: decoded.value });
      else {
        const access = decoded.value;
        const hash = access.key !== undefined ? keyHash(access.key) : BigInt(access.keyHash!);
        const shardId = this.map.locate(hash);
        if (shardId === undefined) answer.unroutable++;
        else {
          aggregator.add(shardId, access.ts, hash, access.key, access.op === 'write', access.bytes);
          counted(answer, index);
        }
      }
    }
    return answer;
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
      const shardId = this.map.locate(hash);
      if (shardId === undefined) answer.unroutable++;
      else {
        aggregator.add(shardId, scanned.ts, hash, undefined, scanned.isWrite, scanned.bytes);
        counted(answer, index);
      }
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
