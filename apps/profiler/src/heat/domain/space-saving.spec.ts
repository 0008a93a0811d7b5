import { describe, expect, it } from 'vitest';
import { SpaceSaving } from './space-saving.js';

const EPSILON = 1e-9;

/** Deterministic shuffle (a 32-bit LCG), so the stream interleaves keys the same way on every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed >>> 0;
  for (let i = result.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** Zipf-like: key `z<i>` occurs ⌊2000/i²⌋ times, plus 2000 keys seen once each. */
function zipfStream(seed: number): string[] {
  const stream: string[] = [];
  for (let i = 1; i <= 60; i++) for (let n = 0; n < Math.floor(2000 / (i * i)); n++) stream.push(`z${i}`);
  for (let i = 0; i < 2000; i++) stream.push(`noise${i}`);
  return shuffled(stream, seed);
}

function frequencies(stream: string[], weight = 1, into = new Map<string, number>()): Map<string, number> {
  for (const key of stream) into.set(key, (into.get(key) ?? 0) + weight);
  return into;
}

/** The documented guarantee, checked against the true weights. */
function expectGuarantee(sketch: SpaceSaving, truth: Map<string, number>): void {
  const bound = sketch.totalWeight / sketch.capacity;
  for (const entry of sketch.entries()) {
    const trueWeight = truth.get(entry.key) ?? 0;
    expect(entry.count).toBeGreaterThanOrEqual(trueWeight - EPSILON);
    expect(entry.count - entry.error).toBeLessThanOrEqual(trueWeight + EPSILON);
    expect(entry.error).toBeLessThanOrEqual(bound + EPSILON);
  }
  for (const [key, trueWeight] of truth) {
    if (trueWeight > bound)
      expect(sketch.get(key), `${key} weighs ${trueWeight} > N/k = ${bound}`).toBeDefined();
    if (!sketch.get(key)) expect(trueWeight).toBeLessThanOrEqual(sketch.absentBound + EPSILON);
  }
}

describe('SpaceSaving', () => {
  it('evicts the smallest counter and charges its count as error', () => {
    const sketch = new SpaceSaving(2);
    for (const key of ['a', 'b', 'c']) sketch.add(key);
    expect(sketch.entries()).toEqual([
      { key: 'c', count: 2, error: 1 },
      { key: 'b', count: 1, error: 0 },
    ]);
    expect(sketch.totalWeight).toBe(3);
  });

  it('handles weighted additions', () => {
    const sketch = new SpaceSaving(2);
    sketch.add('a', 5);
    sketch.add('b', 2);
    sketch.add('c', 1);
    expect(sketch.entries()).toEqual([
      { key: 'a', count: 5, error: 0 },
      { key: 'c', count: 3, error: 2 },
    ]);
    expect(sketch.absentBound).toBe(3);
  });

  it('finds the top keys of a Zipf-like stream within its guarantee', () => {
    const stream = zipfStream(7);
    const sketch = new SpaceSaving(64);
    for (const key of stream) sketch.add(key);
    const truth = frequencies(stream);
    expect(sketch.totalWeight).toBe(stream.length);
    expectGuarantee(sketch, truth);
    // N/k ≈ 83, so z1..z4 (2000, 500, 222, 125) must be held, and z1 > z2 > z3 by more than N/k each.
    expect(sketch.totalWeight / 64).toBeLessThan(85);
    expect(
      sketch
        .entries()
        .slice(0, 3)
        .map((e) => e.key),
    ).toEqual(['z1', 'z2', 'z3']);
    expect(sketch.get('z4')).toBeDefined();
  });

  it('keeps its guarantee over decayed weights', () => {
    const first = zipfStream(1);
    const second = zipfStream(2).reverse();
    const sketch = new SpaceSaving(64);
    for (const key of first) sketch.add(key);
    sketch.decay(0.5);
    for (const key of second) sketch.add(key);
    const truth = frequencies(second, 1, frequencies(first, 0.5));
    expect(sketch.totalWeight).toBe(first.length / 2 + second.length);
    expectGuarantee(sketch, truth);
  });

  it('decay scales counts, errors and the total alike', () => {
    const sketch = new SpaceSaving(2);
    for (const key of ['a', 'a', 'b', 'c']) sketch.add(key);
    sketch.decay(0.5);
    expect(sketch.entries()).toEqual([
      { key: 'a', count: 1, error: 0 },
      { key: 'c', count: 1, error: 0.5 },
    ]);
    expect(sketch.totalWeight).toBe(2);
    expect(() => sketch.decay(1.5)).toThrow(RangeError);
  });

  it('merges by charging a key missing from one side that side’s bound', () => {
    const a = new SpaceSaving(2);
    for (const key of ['a', 'a', 'a', 'b']) a.add(key);
    const b = new SpaceSaving(2);
    for (const key of ['a', 'a', 'c', 'c']) b.add(key);
    const merged = SpaceSaving.merge(a, b);
    // b: 1 + 2 (b's smallest) = 3 with error 2; c: 1 (a's smallest) + 2 = 3 with error 1; ties go by key.
    expect(merged.entries()).toEqual([
      { key: 'a', count: 5, error: 0 },
      { key: 'b', count: 3, error: 2 },
    ]);
    expect(merged.totalWeight).toBe(8);
    expect(merged.absentBound).toBe(3);
  });

  it('merged sketches of two halves keep the guarantee for the whole stream', () => {
    const stream = zipfStream(11);
    const half = Math.floor(stream.length / 2);
    const a = new SpaceSaving(64);
    const b = new SpaceSaving(64);
    stream.slice(0, half).forEach((key) => a.add(key));
    stream.slice(half).forEach((key) => b.add(key));
    const merged = SpaceSaving.merge(a, b);
    expect(merged.totalWeight).toBe(stream.length);
    expectGuarantee(merged, frequencies(stream));
    expect(
      merged
        .entries()
        .slice(0, 3)
        .map((e) => e.key),
    ).toEqual(['z1', 'z2', 'z3']);
    // Still within the guarantee after more traffic lands on the merged sketch.
    const more = zipfStream(12);
    more.forEach((key) => merged.add(key));
    expectGuarantee(merged, frequencies(more, 1, frequencies(stream)));
  });

  it('partitions by key, each part keeping the guarantee as more weight arrives', () => {
    const stream = zipfStream(5);
    const sketch = new SpaceSaving(64);
    stream.forEach((key) => sketch.add(key));
    const even = (key: string): boolean => Number(key.replace(/\D/g, '')) % 2 === 0;
    const [evens, odds] = sketch.partition(even);
    expect(evens.size + odds.size).toBe(sketch.size);
    expect(evens.entries().every((e) => even(e.key))).toBe(true);
    expect(odds.entries().every((e) => !even(e.key))).toBe(true);
    expect(evens.absentBound).toBe(sketch.absentBound);
    const truth = frequencies(stream);
    const evenTruth = new Map([...truth].filter(([key]) => even(key)));
    const more = zipfStream(6).filter(even);
    more.forEach((key) => evens.add(key));
    expectGuarantee(evens, frequencies(more, 1, evenTruth));
  });

  it('refuses to merge different capacities', () => {
    expect(() => SpaceSaving.merge(new SpaceSaving(2), new SpaceSaving(3))).toThrow(RangeError);
  });

  it('survives a JSON round trip, keeping which of equal counters is evicted next', () => {
    const sketch = new SpaceSaving(3);
    for (const key of ['x', 'y', 'z', 'x']) sketch.add(key);
    const restored = SpaceSaving.fromState(JSON.parse(JSON.stringify(sketch.toState())));
    expect(restored.toState()).toEqual(sketch.toState());
    sketch.add('w');
    restored.add('w');
    expect(restored.entries()).toEqual(sketch.entries());
    expect(restored.get('y')).toBeUndefined();
  });

  it('refuses state with more entries than its capacity or repeated keys', () => {
    const entry = { key: 'a', count: 1, error: 0 };
    expect(() =>
      SpaceSaving.fromState({
        capacity: 1,
        totalWeight: 2,
        floor: 0,
        entries: [entry, { ...entry, key: 'b' }],
      }),
    ).toThrow(RangeError);
    expect(() =>
      SpaceSaving.fromState({ capacity: 2, totalWeight: 2, floor: 0, entries: [entry, entry] }),
    ).toThrow(TypeError);
  });
});
