// Persisted state comes back from Postgres as untyped JSON; these checks stop a corrupt row from
// turning into NaN rates that would silently poison every later estimate.

export function finiteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${what} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function nonNegativeNumber(value: unknown, what: string): number {
  const number = finiteNumber(value, what);
  if (number < 0) throw new RangeError(`${what} must be ≥ 0, got ${number}`);
  return number;
}

export function positiveInteger(value: unknown, what: string): number {
  const number = finiteNumber(value, what);
  if (!Number.isInteger(number) || number < 1)
    throw new RangeError(`${what} must be an integer ≥ 1, got ${number}`);
  return number;
}

export function timeOrNull(value: unknown, what: string): number | null {
  return value === null ? null : finiteNumber(value, what);
}

export function arrayOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array`);
  return value;
}
