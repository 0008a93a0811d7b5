import { describe, expect, it } from 'vitest';
import { heatSettingsSchema } from './heat-settings.js';

const schema = heatSettingsSchema(1000);
const good = {
  halfLifeMs: 60_000,
  intervalMs: 10_000,
  thresholds: { hotEnter: 100, hotExit: 80, coldEnter: 1, coldExit: 2 },
};

function paths(input: unknown): string[] {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')).sort();
}

describe('the PUT /v1/config settings schema', () => {
  it('accepts a complete, consistent document', () => {
    expect(schema.parse(good)).toEqual(good);
  });

  it('names every field of the wrong type or out of range', () => {
    expect(
      paths({
        halfLifeMs: 0,
        intervalMs: 'soon',
        thresholds: { hotEnter: -1, hotExit: 1, coldEnter: 0, coldExit: 0 },
      }),
    ).toEqual(['halfLifeMs', 'intervalMs', 'thresholds.hotEnter']);
  });

  it('names the fields that break the rules between fields', () => {
    expect(
      paths({
        ...good,
        intervalMs: 1500,
        thresholds: { hotEnter: 10, hotExit: 20, coldEnter: 5, coldExit: 3 },
      }),
    ).toEqual(['intervalMs', 'thresholds.coldEnter', 'thresholds.hotExit']);
  });

  it('refuses unknown fields, which are most likely typos', () => {
    expect(paths({ ...good, halfLife: 5 })).toEqual(['']);
  });
});
