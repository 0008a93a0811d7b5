import { describe, expect, it } from 'vitest';
import { packChunk, type PackableMessage } from './stage-one.js';

/** The values a chunk holds, read back by its ranges. */
function unpack(chunk: ReturnType<typeof packChunk>): (string | null)[] {
  return Array.from({ length: chunk.count }, (_, index) => {
    const start = chunk.ranges[2 * index]!;
    const length = chunk.ranges[2 * index + 1]!;
    return length < 0 ? null : Buffer.from(chunk.bytes.subarray(start, start + length)).toString();
  });
}

describe('packChunk', () => {
  it('copies the span of values that lie in one buffer in order, once, and gives each its range', () => {
    // As a fetch response holds them: framing bytes between the values.
    const response = Buffer.from('##{"a":1}###{"b":2}#{"c":3}##');
    const view = (text: string) =>
      response.subarray(response.indexOf(text), response.indexOf(text) + text.length);
    const messages: PackableMessage[] = [
      { value: view('{"a":1}') },
      { value: null },
      { value: view('{"b":2}') },
      { value: view('{"c":3}') },
    ];
    const chunk = packChunk(7, messages, 0);
    expect(unpack(chunk)).toEqual(['{"a":1}', null, '{"b":2}', '{"c":3}']);
    expect(chunk.bytes.length).toBe('{"a":1}###{"b":2}#{"c":3}'.length);
    expect(chunk.bytes.buffer).not.toBe(response.buffer); // a copy: the worker gets it, kafkajs keeps its own
    expect(unpack(packChunk(7, messages, 2))).toEqual(['{"b":2}', '{"c":3}']);
  });

  it('copies values one by one when they come from several buffers or out of order', () => {
    const shared = Buffer.from('{"x":1}{"y":2}');
    const several: PackableMessage[] = [{ value: Buffer.from('{"a":1}') }, { value: Buffer.from('{"b":2}') }];
    const backwards: PackableMessage[] = [{ value: shared.subarray(7) }, { value: shared.subarray(0, 7) }];
    expect(unpack(packChunk(1, several, 0))).toEqual(['{"a":1}', '{"b":2}']);
    expect(unpack(packChunk(1, backwards, 0))).toEqual(['{"y":2}', '{"x":1}']);
    expect(packChunk(1, backwards, 0).bytes.length).toBe(14);
  });

  it('sends the event name of a message whose headers declare another event, and only then', () => {
    const chunk = packChunk(
      1,
      [
        { value: Buffer.from('{}'), headers: { 'sc-event': 'access.v1' } },
        { value: Buffer.from('{}'), headers: { 'sc-event': Buffer.from('heat.v1') } },
        { value: Buffer.from('{}'), headers: {} },
      ],
      0,
    );
    expect(chunk.declared).toEqual([[1, 'heat.v1']]);
  });
});
