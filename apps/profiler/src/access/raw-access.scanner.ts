/**
 * A single pass over the bytes of a raw access event in its plain form (a flat JSON object, ASCII,
 * no escapes, integer `ts`/`bytes`), picking out what stage 1 needs without building strings or
 * objects for the rest. It is the first try of the hot path; it answers "not sure" (false) for
 * anything outside that form (nested values, escapes, non-ASCII, fractions, exponents, duplicate
 * names, any syntax it does not know), and the caller then decodes the message the general way.
 * When it answers true, the message is exactly what `JSON.parse` + `rawAccessV1` would accept, with
 * the same fields; a property test holds it to that.
 */
export interface ScannedAccess {
  ts: number;
  isWrite: boolean;
  bytes: number;
  /** Byte range of the key in the message, or -1 when the event has only a key hash. */
  keyStart: number;
  keyEnd: number;
  /** The key hash as given (decimal), when there is no key. */
  keyHash: string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_SAFE_DIGITS = 15;
const U64 = /^(0|[1-9][0-9]{0,19})$/;
const HASH_SPACE = 1n << 64n;

// Field names, as bit flags so a repeated name (JSON.parse keeps the last) is noticed cheaply.
const F_TS = 1;
const F_KEY = 2;
const F_KEYHASH = 4;
const F_OP = 8;
const F_BYTES = 16;
const F_KIND = 32;
const F_EVENTID = 64;
const F_NODE = 128;
const F_CLIENT = 256;
const F_QUERYTYPE = 512;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

const NAMES: [Uint8Array, number][] = (
  [
    ['op', F_OP],
    ['bytes', F_BYTES],
    ['keyHash', F_KEYHASH],
    ['kind', F_KIND],
    ['eventId', F_EVENTID],
    ['node', F_NODE],
    ['client', F_CLIENT],
    ['queryType', F_QUERYTYPE],
    // JSON.parse gives "__proto__" a meaning of its own; leave such objects to it.
    ['__proto__', -1],
  ] as const
).map(([name, field]) => [Uint8Array.from(name, (c) => c.charCodeAt(0)), field]);

/** Which known field a name is; 0 for any other name, -1 for a name the scanner will not judge. */
function fieldOf(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  // The names every event has are checked first, byte by byte: no string is made on the hot path.
  if (length === 2 && buf[start] === 0x74 && buf[start + 1] === 0x73) return F_TS; // ts
  if (length === 3 && buf[start] === 0x6b && buf[start + 1] === 0x65 && buf[start + 2] === 0x79) return F_KEY; // key
  if (length === 2 && buf[start] === 0x6f && buf[start + 1] === 0x70) return F_OP; // op
  if (
    length === 5 &&
    buf[start] === 0x62 &&
    buf[start + 1] === 0x79 &&
    buf[start + 2] === 0x74 &&
    buf[start + 3] === 0x65 &&
    buf[start + 4] === 0x73
  ) {
    return F_BYTES; // bytes
  }
  for (const [name, field] of NAMES) {
    if (name.length !== length) continue;
    let same = true;
    for (let k = 0; k < length && same; k++) same = buf[start + k] === name[k];
    if (same) return field;
  }
  return 0;
}

function ascii(buf: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let k = start; k < end; k++) text += String.fromCharCode(buf[k]!);
  return text;
}

/**
 * Fills `out` and returns true when the message `buf[from, to)` is a plain raw access event (see the
 * file comment). A range, so that messages packed in one buffer are read without a view each; no byte
 * outside it is read, and the key's range in `out` is in `buf`'s positions.
 */
export function scanRawAccess(buf: Uint8Array, out: ScannedAccess, from = 0, to = buf.length): boolean {
  const n = to;
  let i = from;
  while (i < n && isWhitespace(buf[i]!)) i++;
  if (i >= n || buf[i] !== OPEN) return false;
  i++;
  let seen = 0;
  let ts = -1;
  let bytes = 0;
  let isWrite = false;
  let keyStart = -1;
  let keyEnd = -1;
  let keyHashStart = -1;
  let keyHashEnd = -1;
  for (;;) {
    while (i < n && isWhitespace(buf[i]!)) i++;
    if (i >= n || buf[i] !== QUOTE) return false;
    const nameStart = ++i;
    while (i < n) {
      const byte = buf[i]!;
      if (byte === QUOTE) break;
      if (byte === BACKSLASH || byte < 0x20 || byte >= 0x80) return false;
      i++;
    }
    if (i >= n) return false;
    const field = fieldOf(buf, nameStart, i);
    if (field < 0 || (field !== 0 && (seen & field) !== 0)) return false;
    seen |= field;
    i++;
    while (i < n && isWhitespace(buf[i]!)) i++;
    if (i >= n || buf[i] !== COLON) return false;
    i++;
    while (i < n && isWhitespace(buf[i]!)) i++;
    const first = i < n ? buf[i] : undefined;
    if (first === QUOTE) {
      const start = ++i;
      while (i < n) {
        const byte = buf[i]!;
        if (byte === QUOTE) break;
        if (byte === BACKSLASH || byte < 0x20 || byte >= 0x80) return false;
        i++;
      }
      if (i >= n) return false;
      const end = i;
      i++;
      const length = end - start;
      switch (field) {
        case F_KEY:
          if (length < 1 || length > 4096) return false;
          keyStart = start;
          keyEnd = end;
          break;
        case F_KEYHASH:
          keyHashStart = start;
          keyHashEnd = end;
          break;
        case F_OP:
          if (
            length === 4 &&
            buf[start] === 0x72 &&
            buf[start + 1] === 0x65 &&
            buf[start + 2] === 0x61 &&
            buf[start + 3] === 0x64
          ) {
            isWrite = false; // read
          } else if (
            length === 5 &&
            buf[start] === 0x77 &&
            buf[start + 1] === 0x72 &&
            buf[start + 2] === 0x69 &&
            buf[start + 3] === 0x74 &&
            buf[start + 4] === 0x65
          ) {
            isWrite = true; // write
          } else return false;
          break;
        case F_KIND:
          // "access"
          if (
            length !== 6 ||
            buf[start] !== 0x61 ||
            buf[start + 1] !== 0x63 ||
            buf[start + 2] !== 0x63 ||
            buf[start + 3] !== 0x65 ||
            buf[start + 4] !== 0x73 ||
            buf[start + 5] !== 0x73
          ) {
            return false;
          }
          break;
        case F_EVENTID:
        case F_NODE:
          if (length < 1 || length > 128) return false;
          break;
        case F_CLIENT:
          if (length > 256) return false;
          break;
        case F_QUERYTYPE:
          if (length > 64) return false;
          break;
        case F_TS:
        case F_BYTES:
          // An ISO timestamp, or a number sent as a string: the schema decides.
          return false;
        default:
          break;
      }
    } else if (first !== undefined && first >= ZERO && first <= NINE) {
      // Only non-negative integers without exponent: anything else is left to JSON.parse.
      const start = i;
      if (first === ZERO && i + 1 < n && buf[i + 1]! >= ZERO && buf[i + 1]! <= NINE) return false;
      let value = 0;
      while (i < n && buf[i]! >= ZERO && buf[i]! <= NINE) {
        value = value * 10 + (buf[i]! - ZERO);
        i++;
      }
      if (i - start > MAX_SAFE_DIGITS) return false;
      const after = i < n ? buf[i] : undefined;
      if (after === 0x2e || after === 0x65 || after === 0x45) return false; // . e E
      if (field === F_TS) ts = value;
      else if (field === F_BYTES) bytes = value;
      else if (field !== 0) return false; // a known string field given a number
    } else if (first === MINUS) {
      return false;
    } else if (field === 0 && first === 0x74 && matches(buf, i, n, 'true')) {
      i += 4;
    } else if (field === 0 && first === 0x66 && matches(buf, i, n, 'false')) {
      i += 5;
    } else if (field === 0 && first === 0x6e && matches(buf, i, n, 'null')) {
      i += 4;
    } else {
      // Objects, arrays, a known field given a literal, or not JSON: not the plain form.
      return false;
    }
    while (i < n && isWhitespace(buf[i]!)) i++;
    const separator = i < n ? buf[i] : undefined;
    i++;
    if (separator === COMMA) continue;
    if (separator !== CLOSE) return false;
    break;
  }
  while (i < n && isWhitespace(buf[i]!)) i++;
  if (i !== n) return false;
  if ((seen & F_TS) === 0 || ts < 0 || (seen & F_OP) === 0) return false;
  if ((seen & (F_KEY | F_KEYHASH)) === 0) return false;
  let keyHash: string | undefined;
  if (keyHashStart >= 0) {
    keyHash = ascii(buf, keyHashStart, keyHashEnd);
    if (!U64.test(keyHash) || BigInt(keyHash) >= HASH_SPACE) return false;
  }
  out.ts = ts;
  out.isWrite = isWrite;
  out.bytes = bytes;
  out.keyStart = keyStart;
  out.keyEnd = keyEnd;
  out.keyHash = keyStart >= 0 ? undefined : keyHash;
  return true;
}

function matches(buf: Uint8Array, at: number, end: number, literal: string): boolean {
  if (at + literal.length > end) return false;
  for (let k = 0; k < literal.length; k++) if (buf[at + k] !== literal.charCodeAt(k)) return false;
  return true;
}
