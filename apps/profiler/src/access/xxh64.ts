/**
 * XXH64 (seed 0) of a byte range, in plain JavaScript on 32-bit halves, for the hot path: the key
 * hash of the keyspace (`keyHash` of the contracts, xxhash64 of the key's UTF-8 bytes) read straight
 * from the message buffer. The native `xxh64` needs a buffer or string of its own per call and
 * returns a BigInt; for keys of a few dozen bytes that costs several times the hashing itself. Here
 * nothing is allocated: the result is left in `XXH64_OUT` (unsigned 32-bit halves, high first). The
 * arithmetic keeps int32 values, which V8 holds unboxed, and passes pairs through a typed array rather
 * than module variables, whose non-small numbers would be boxed on every store. A unit test holds it
 * equal to `@node-rs/xxhash` for every length path.
 */

// The five XXH64 primes, as high and low 32-bit halves (int32, as the arithmetic keeps them).
const P1H = 0x9e3779b1 | 0;
const P1L = 0x85ebca87 | 0;
const P2H = 0xc2b2ae3d | 0;
const P2L = 0x27d4eb4f | 0;
const P3H = 0x165667b1 | 0;
const P3L = 0x9e3779f9 | 0;
const P4H = 0x85ebca77 | 0;
const P4L = 0xc2b2ae63 | 0;
const P5H = 0x27d4eb2f | 0;
const P5L = 0x165667c5 | 0;
const TWO32 = 4294967296;

/** The last result: [high 32 bits, low 32 bits], unsigned. */
export const XXH64_OUT = new Uint32Array(2);

// The result register of the 64-bit operations below: [high, low] as int32.
const R = new Int32Array(2);

/** (ah:al) × (bh:bl) mod 2^64 into R. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const high = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R[1] = Math.imul(al, bl);
  R[0] = high + Math.imul(ah, bl) + Math.imul(al, bh);
}

/** (ah:al) + (bh:bl) mod 2^64 into R. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const low = (al >>> 0) + (bl >>> 0);
  R[1] = low;
  R[0] = ah + bh + (low >= TWO32 ? 1 : 0);
}

/** Rotates (h:l) left by r (0 < r < 32) into R. */
function rotl(h: number, l: number, r: number): void {
  R[0] = (h << r) | (l >>> (32 - r));
  R[1] = (l << r) | (h >>> (32 - r));
}

/** XXH64's round: acc = rotl(acc + input × P2, 31) × P1, into R. */
function round(acch: number, accl: number, inh: number, inl: number): void {
  mul(inh, inl, P2H, P2L);
  add(acch, accl, R[0]!, R[1]!);
  rotl(R[0]!, R[1]!, 31);
  mul(R[0]!, R[1]!, P1H, P1L);
}

function read32(buf: Uint8Array, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24);
}

/** XXH64 with seed 0 of `buf[start, end)`; the hash is left in `XXH64_OUT`. */
export function xxh64Range(buf: Uint8Array, start: number, end: number): void {
  const length = end - start;
  let at = start;
  let h: number;
  let l: number;
  if (length >= 32) {
    // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = −P1 (mod 2^64; P1's low half is not 0, so no carry)
    add(P1H, P1L, P2H, P2L);
    let v1h = R[0]!;
    let v1l = R[1]!;
    let v2h = P2H;
    let v2l = P2L;
    let v3h = 0;
    let v3l = 0;
    let v4h = ~P1H | 0;
    let v4l = -P1L | 0;
    const limit = end - 32;
    do {
      round(v1h, v1l, read32(buf, at + 4), read32(buf, at));
      v1h = R[0]!;
      v1l = R[1]!;
      round(v2h, v2l, read32(buf, at + 12), read32(buf, at + 8));
      v2h = R[0]!;
      v2l = R[1]!;
      round(v3h, v3l, read32(buf, at + 20), read32(buf, at + 16));
      v3h = R[0]!;
      v3l = R[1]!;
      round(v4h, v4l, read32(buf, at + 28), read32(buf, at + 24));
      v4h = R[0]!;
      v4l = R[1]!;
      at += 32;
    } while (at <= limit);
    rotl(v1h, v1l, 1);
    h = R[0]!;
    l = R[1]!;
    rotl(v2h, v2l, 7);
    add(h, l, R[0]!, R[1]!);
    h = R[0]!;
    l = R[1]!;
    rotl(v3h, v3l, 12);
    add(h, l, R[0]!, R[1]!);
    h = R[0]!;
    l = R[1]!;
    rotl(v4h, v4l, 18);
    add(h, l, R[0]!, R[1]!);
    h = R[0]!;
    l = R[1]!;
    // mergeRound for each lane: h = (h ^ round(0, v)) × P1 + P4
    for (let lane = 0; lane < 4; lane++) {
      const vh = lane === 0 ? v1h : lane === 1 ? v2h : lane === 2 ? v3h : v4h;
      const vl = lane === 0 ? v1l : lane === 1 ? v2l : lane === 2 ? v3l : v4l;
      round(0, 0, vh, vl);
      mul((h ^ R[0]!) | 0, (l ^ R[1]!) | 0, P1H, P1L);
      add(R[0]!, R[1]!, P4H, P4L);
      h = R[0]!;
      l = R[1]!;
    }
  } else {
    h = P5H;
    l = P5L;
  }
  // h += length (a key is far below 2^32 bytes)
  add(h, l, 0, length);
  h = R[0]!;
  l = R[1]!;
  while (at + 8 <= end) {
    round(0, 0, read32(buf, at + 4), read32(buf, at));
    rotl((h ^ R[0]!) | 0, (l ^ R[1]!) | 0, 27);
    mul(R[0]!, R[1]!, P1H, P1L);
    add(R[0]!, R[1]!, P4H, P4L);
    h = R[0]!;
    l = R[1]!;
    at += 8;
  }
  if (at + 4 <= end) {
    mul(0, read32(buf, at), P1H, P1L);
    rotl((h ^ R[0]!) | 0, (l ^ R[1]!) | 0, 23);
    mul(R[0]!, R[1]!, P2H, P2L);
    add(R[0]!, R[1]!, P3H, P3L);
    h = R[0]!;
    l = R[1]!;
    at += 4;
  }
  while (at < end) {
    mul(0, buf[at]!, P5H, P5L);
    rotl((h ^ R[0]!) | 0, (l ^ R[1]!) | 0, 11);
    mul(R[0]!, R[1]!, P1H, P1L);
    h = R[0]!;
    l = R[1]!;
    at++;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  l = (l ^ (h >>> 1)) | 0;
  mul(h, l, P2H, P2L);
  h = R[0]!;
  l = (R[1]! ^ ((R[1]! >>> 29) | (R[0]! << 3))) | 0;
  h = (h ^ (h >>> 29)) | 0;
  mul(h, l, P3H, P3L);
  XXH64_OUT[0] = R[0]!;
  XXH64_OUT[1] = R[1]! ^ R[0]!;
}

/** The last result as a BigInt (for the few places that need one: samples, the general path). */
export function xxh64BigInt(): bigint {
  return (BigInt(XXH64_OUT[0]!) << 32n) | BigInt(XXH64_OUT[1]!);
}
