import { describe, expect, it } from 'vitest';
import { parsePeerList } from './peer-list.parser.js';

describe('PEERS', () => {
  it('parses node ids and base URLs', () => {
    expect(parsePeerList('')).toEqual({ ok: true, value: [] });
    expect(parsePeerList(' node-2=http://127.0.0.1:4101/ , node-3=https://n3.example:4100 ')).toEqual({
      ok: true,
      value: [
        { nodeId: 'node-2', url: 'http://127.0.0.1:4101' },
        { nodeId: 'node-3', url: 'https://n3.example:4100' },
      ],
    });
  });

  it('refuses malformed entries with the reason', () => {
    expect(parsePeerList('node-2')).toMatchObject({ ok: false, reason: expect.stringMatching(/nodeId=url/) });
    expect(parsePeerList('Node_2=http://x')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a node id/),
    });
    expect(parsePeerList('n=ftp://x')).toMatchObject({ ok: false, reason: expect.stringMatching(/http/) });
    expect(parsePeerList('n=nope')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a URL/) });
    expect(parsePeerList('n=http://a,n=http://b')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/twice/),
    });
  });
});
