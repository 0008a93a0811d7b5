import { describe, expect, it } from 'vitest';
import { arrayOf, finiteNumber, nonNegativeNumber, positiveInteger, timeOrNull } from './state-fields.js';

describe('state fields', () => {
  it('passes valid values through', () => {
    expect(finiteNumber(-2.5, 'x')).toBe(-2.5);
    expect(nonNegativeNumber(0, 'x')).toBe(0);
    expect(positiveInteger(3, 'x')).toBe(3);
    expect(timeOrNull(null, 'x')).toBeNull();
    expect(timeOrNull(1700, 'x')).toBe(1700);
    expect(arrayOf([1], 'x')).toEqual([1]);
  });

  it('names the field it rejects', () => {
    expect(() => finiteNumber('1', 'weights[3]')).toThrow(/^weights\[3\] must be a finite number, got "1"$/);
    expect(() => finiteNumber(Number.POSITIVE_INFINITY, 'x')).toThrow(TypeError);
    expect(() => nonNegativeNumber(-1, 'count')).toThrow(/^count must be ≥ 0, got -1$/);
    expect(() => positiveInteger(1.5, 'capacity')).toThrow(RangeError);
    expect(() => positiveInteger(0, 'capacity')).toThrow(RangeError);
    expect(() => timeOrNull(undefined, 'lastMs')).toThrow(TypeError);
    expect(() => arrayOf({}, 'entries')).toThrow(TypeError);
  });
});
