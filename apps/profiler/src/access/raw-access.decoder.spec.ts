import { describe, expect, it } from 'vitest';
import {
  type AccessEventV1,
  type DecodeResult,
  decodeEvent,
  keyHash,
  rawAccessV1,
} from '@shardcast/contracts';
import { decodeAccess, fastRawAccess } from './raw-access.decoder.js';
import { scanRawAccess, type ScannedAccess } from './raw-access.scanner.js';
import { xxh64BigInt, xxh64Range } from './xxh64.js';

const TS = 1_700_000_000_000;

/** The contract's decoder, except that it can throw (see `safeDecode`): a throw counts as a rejection. */
function reference(value: Buffer): DecodeResult<AccessEventV1> {
  try {
    return decodeEvent('access', { value });
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Messages around the plain form: valid ones, near misses, and ones the fast paths must leave alone. */
const CASES: string[] = [
  `{"ts":${TS},"key":"user:1","op":"read","bytes":10}`,
  `{"ts":${TS},"key":"user:1","op":"write"}`,
  `  { "ts" : ${TS} , "key" : "k" , "op" : "read" }  `,
  `{"kind":"access","eventId":"e-1","ts":${TS},"keyHash":"18446744073709551615","op":"read","bytes":0,"node":"n1","client":"","queryType":"get"}`,
  `{"ts":${TS},"key":"k","keyHash":"42","op":"read"}`,
  `{"ts":${TS},"keyHash":"18446744073709551616","op":"read"}`,
  `{"ts":${TS},"keyHash":"042","op":"read"}`,
  `{"ts":${TS},"keyHash":42,"op":"read"}`,
  `{"ts":${TS},"op":"read"}`,
  `{"ts":${TS},"key":"","op":"read"}`,
  `{"ts":${TS},"key":"${'x'.repeat(4096)}","op":"read"}`,
  `{"ts":${TS},"key":"${'x'.repeat(4097)}","op":"read"}`,
  `{"ts":${TS},"key":"k","op":"delete"}`,
  `{"ts":${TS},"key":"k","op":"Read"}`,
  `{"ts":-1,"key":"k","op":"read"}`,
  `{"ts":-0,"key":"k","op":"read"}`,
  `{"ts":0,"key":"k","op":"read"}`,
  `{"ts":${TS}.5,"key":"k","op":"read"}`,
  `{"ts":1e12,"key":"k","op":"read"}`,
  `{"ts":9007199254740993,"key":"k","op":"read"}`,
  `{"ts":0123,"key":"k","op":"read"}`,
  `{"ts":"2016-01-15T10:00:00Z","key":"en:Main_Page","op":"read","bytes":51234}`,
  `{"ts":"${TS}","key":"k","op":"read"}`,
  `{"ts":${TS},"key":"k","op":"read","bytes":-5}`,
  `{"ts":${TS},"key":"k","op":"read","bytes":1.5}`,
  `{"ts":${TS},"key":"k","op":"read","bytes":null}`,
  `{"ts":${TS},"key":"k","op":"read","extra":{"nested":[1,2]}}`,
  `{"ts":${TS},"key":"k","op":"read","extra":true,"more":null,"n":-3.5e2,"s":"x"}`,
  `{"ts":${TS},"key":"k\\"q","op":"read"}`,
  `{"ts":${TS},"key":"ключ","op":"read"}`,
  `{"ts":${TS},"key":"k","op":"read","ts":${TS + 1}}`,
  `{"ts":${TS},"key":"k","op":"read","__proto__":{"x":1}}`,
  `{"ts":${TS},"key":"k","op":"read","kind":"summary"}`,
  `{"ts":${TS},"key":"k","op":"read","kind":"raw"}`,
  `{"ts":${TS},"key":"k","op":"read","eventId":""}`,
  `{"ts":${TS},"key":"k","op":"read","node":"${'n'.repeat(129)}"}`,
  `{"ts":${TS},"key":"k","op":"read","client":"${'c'.repeat(257)}"}`,
  `{"ts":${TS},"key":"k","op":"read","queryType":"${'q'.repeat(65)}"}`,
  `{"ts":${TS},"key":"k","op":"read"`,
  `{"ts":${TS},"key":"k","op":"read"}}`,
  `{"ts":${TS},"key":"k","op":"read",}`,
  `{"ts":${TS} "key":"k","op":"read"}`,
  `[{"ts":${TS},"key":"k","op":"read"}]`,
  `"just a string"`,
  `{}`,
  ``,
  `{"kind":"summary","eventId":"e","node":"n","shardId":"s","windowStartMs":${TS},"windowMs":1000,"reads":1,"writes":0,"readBytes":0,"writeBytes":0,"sampleHashes":["1"],"topKeys":[]}`,
];

function scanned(): ScannedAccess {
  return { ts: 0, isWrite: false, bytes: 0, keyStart: -1, keyEnd: -1, keyHash: undefined };
}

describe('decoding access messages fast, exactly as the contract does', () => {
  it.each(CASES.map((text) => [text.length > 90 ? `${text.slice(0, 90)}…` : text, text]))(
    '%s',
    (_label, text) => {
      const value = Buffer.from(text, 'utf8');
      const expected = reference(value);
      const fast = decodeAccess({ value });
      expect(fast.ok).toBe(expected.ok);
      if (expected.ok) expect(fast.ok && fast.value).toEqual(expected.value);

      const out = scanned();
      if (scanRawAccess(value, out)) {
        // The scanner only says yes to what the schema accepts, and reads the same fields.
        expect(expected.ok && expected.value.kind).toBe('access');
        const event = expected.ok && expected.value.kind === 'access' ? expected.value : undefined;
        expect(out.ts).toBe(event!.ts);
        expect(out.isWrite).toBe(event!.op === 'write');
        expect(out.bytes).toBe(event!.bytes);
        if (event!.key !== undefined) {
          expect(value.toString('latin1', out.keyStart, out.keyEnd)).toBe(event!.key);
          xxh64Range(value, out.keyStart, out.keyEnd);
          expect(xxh64BigInt()).toBe(keyHash(event!.key));
        } else expect(out.keyHash).toBe(event!.keyHash);
      }
    },
  );

  it('takes the plain form (what producers send) on the scanner, and leaves the rest to the schema', () => {
    const yes = (text: string): boolean => scanRawAccess(Buffer.from(text), scanned());
    expect(yes(CASES[0]!)).toBe(true);
    expect(yes(CASES[3]!)).toBe(true);
    expect(yes(`{"ts":${TS},"key":"k\\"q","op":"read"}`)).toBe(false);
    expect(yes(`{"ts":"2016-01-15T10:00:00Z","key":"k","op":"read"}`)).toBe(false);
  });

  it('agrees with the schema on random mutations of valid events', () => {
    const random = (() => {
      let state = 7;
      return (n: number) => {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        return state % n;
      };
    })();
    const alphabet = '{}[]":,0123456789-.eE tfnulrsaxkyopwi\\';
    for (let trial = 0; trial < 3_000; trial++) {
      const base = CASES[random(6)]!;
      const chars = [...base];
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(chars.length + 1);
        const action = random(3);
        if (action === 0) chars.splice(at, 1);
        else if (action === 1) chars.splice(at, 0, alphabet[random(alphabet.length)]!);
        else chars[at] = alphabet[random(alphabet.length)]!;
      }
      const value = Buffer.from(chars.join(''));
      const expected = reference(value);
      const fast = decodeAccess({ value });
      expect(fast.ok, value.toString()).toBe(expected.ok);
      if (expected.ok && fast.ok) expect(fast.value).toEqual(expected.value);
      const out = scanned();
      if (scanRawAccess(value, out))
        expect(expected.ok && expected.value.kind, value.toString()).toBe('access');
    }
  });

  it('reads a message packed among others exactly as the message alone, and no byte beyond it', () => {
    // What follows a message in a chunk is the next one's length and bytes: anything at all.
    const neighbours = ['', '}', '"', ' ', ',"op":"read"}', '0', 'rue', 'ull', '\u0000\u0001'];
    for (const text of CASES) {
      for (const before of neighbours) {
        for (const after of neighbours) {
          // Cut short too: every prefix of a message, followed by bytes that could complete it.
          for (const length of [text.length, Math.max(0, text.length - 1)]) {
            const value = Buffer.from(text.slice(0, length));
            const packed = Buffer.concat([Buffer.from(before), value, Buffer.from(after)]);
            const out = scanned();
            const says = scanRawAccess(packed, out, before.length, before.length + value.length);
            const reference = scanned();
            expect(says, `${before}|${value.toString()}|${after}`).toBe(scanRawAccess(value, reference));
            const shift = (at: number) => (at < 0 ? at : at - before.length);
            if (says)
              expect({ ...out, keyStart: shift(out.keyStart), keyEnd: shift(out.keyEnd) }).toEqual(reference);
          }
        }
      }
    }
  });

  it('matches the schema object for object on the fast path', () => {
    const event = { ts: TS, key: 'k', op: 'write', bytes: 3, client: 'c', unknown: 1 };
    expect(fastRawAccess(event)).toEqual(rawAccessV1.parse(event));
  });

  it('dead-letters a key hash that makes the contract decoder throw, instead of throwing', () => {
    const value = Buffer.from(JSON.stringify({ ts: TS, keyHash: '4s2', op: 'read' }));
    expect(decodeAccess({ value })).toEqual({
      ok: false,
      reason: expect.stringMatching(/^invalid access\.v1/),
    });
  });

  it('tells a raw-event producer what is wrong with its event, not just that the union failed', () => {
    const decoded = decodeAccess({ value: Buffer.from(JSON.stringify({ ts: TS, key: 'k', op: 'delete' })) });
    expect(decoded).toEqual({
      ok: false,
      reason: expect.stringMatching(/^invalid access\.v1 \(raw access\): op: /),
    });
  });

  it('honours the event header: another event name is refused as the contract refuses it', () => {
    const value = Buffer.from(CASES[0]!);
    expect(decodeAccess({ value, headers: { 'sc-event': 'access.v2' } })).toEqual(
      decodeEvent('access', { value, headers: { 'sc-event': 'access.v2' } }),
    );
  });

  it('hashes ASCII keys in place exactly as the keyspace does', () => {
    for (const key of ['', 'user:42', 'en:Main_Page', 'x'.repeat(5000), '~!@#$%^&*()']) {
      const value = Buffer.from(`{"ts":${TS},"key":"${key}","op":"read"}`);
      const out = scanned();
      if (key !== '' && key.length <= 4096) {
        expect(scanRawAccess(value, out)).toBe(true);
        expect(value.toString('latin1', out.keyStart, out.keyEnd)).toBe(key);
      }
      const start = value.indexOf(`"key":"`) + 7;
      xxh64Range(value, start, start + key.length);
      expect(xxh64BigInt()).toBe(keyHash(key));
    }
  });
});
