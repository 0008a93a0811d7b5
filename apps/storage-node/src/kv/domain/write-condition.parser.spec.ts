import { describe, expect, it } from 'vitest';
import {
  parseDeleteCondition,
  parseVersionETag,
  parseWriteCondition,
  versionETag,
} from './write-condition.parser.js';

const headers = (ifMatch?: string, ifNoneMatch?: string) => ({ ifMatch, ifNoneMatch });

describe('write conditions from HTTP headers', () => {
  it('reads If-Match as a version and If-None-Match: * as create-only', () => {
    expect(parseWriteCondition(headers())).toEqual({ ok: true, value: { kind: 'none' } });
    expect(parseWriteCondition(headers('"3:17"'))).toEqual({
      ok: true,
      value: { kind: 'if-match', version: { partition: 3, offset: 17n } },
    });
    expect(parseWriteCondition(headers('3:17'))).toEqual({
      ok: true,
      value: { kind: 'if-match', version: { partition: 3, offset: 17n } },
    });
    expect(parseWriteCondition(headers(undefined, '*'))).toEqual({
      ok: true,
      value: { kind: 'if-none-match' },
    });
  });

  it('refuses what it cannot decide exactly', () => {
    expect(parseWriteCondition(headers('"1:1"', '*'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/cannot be combined/),
    });
    expect(parseWriteCondition(headers('*'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not supported/),
    });
    expect(parseWriteCondition(headers('"1:1", "1:2"'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/exactly one/),
    });
    expect(parseWriteCondition(headers('W/"1:1"'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/weak/),
    });
    expect(parseWriteCondition(headers('"01:1"'))).toMatchObject({ ok: false });
    expect(parseWriteCondition(headers(undefined, '"1:1"'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/only "\*"/),
    });
    expect(parseDeleteCondition(headers(undefined, '*'))).toMatchObject({ ok: false });
  });

  it('round-trips a version through its ETag', () => {
    const version = { partition: 12, offset: 9_007_199_254_740_993n };
    expect(parseVersionETag(versionETag(version))).toEqual({ ok: true, value: version });
  });
});
