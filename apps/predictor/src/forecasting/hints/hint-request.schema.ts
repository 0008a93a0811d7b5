import { epochMs, u64String } from '@shardcast/contracts';
import { z } from 'zod';
import type { ApplicationHint } from '../domain/index.js';
import { parseRecurringWindow } from '../domain/index.js';

const hashBound = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,19})$/, 'must be a decimal u64 string')
  .refine((s) => BigInt(s) <= 1n << 64n, 'must be at most 2^64');

const scopeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('hash-range'),
      lo: u64String.describe('inclusive lower bound of the key-hash range'),
      hi: hashBound.describe('exclusive upper bound of the key-hash range (up to 2^64)'),
    })
    .strict()
    .refine((s) => BigInt(s.lo) < BigInt(s.hi), { path: ['hi'], message: 'must be above lo' })
    .describe('keys whose xxhash64 falls in [lo, hi): matches the shards overlapping the range'),
  z
    .object({ kind: z.literal('key-prefix'), prefix: z.string().min(1).max(1024) })
    .strict()
    .describe('keys starting with the prefix: matches shards whose sampled hot keys have it'),
  z
    .object({ kind: z.literal('key-range'), start: z.string().max(1024), end: z.string().min(1).max(1024) })
    .strict()
    .refine((s) => s.start < s.end, { path: ['end'], message: 'must sort after start' })
    .describe('keys in [start, end) by byte order: matches shards whose sampled hot keys fall in it'),
]);

const windowSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('once'), startMs: epochMs, endMs: epochMs })
    .strict()
    .refine((w) => w.endMs > w.startMs, { path: ['endMs'], message: 'must be after startMs' })
    .describe('one time window [startMs, endMs)'),
  z
    .object({
      kind: z.literal('recurring'),
      schedule: z
        .string()
        .max(200)
        .superRefine((schedule, ctx) => {
          try {
            parseRecurringWindow(schedule);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: (error as Error).message });
          }
        })
        .describe(
          '"<days> HH:MM-HH:MM UTC": days is daily, Mon, Mon-Fri or Mon,Wed,Fri; e.g. "Mon-Fri 06:00-07:30 UTC"',
        ),
    })
    .strict()
    .describe('a weekly schedule, in UTC'),
]);

/** POST /v1/hints: an application's advance notice of load on some keys. */
export const hintRequestSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits, ".", "_", ":" and "-", at most 128')
      .optional()
      .describe('the hint id (a new one is generated when left out); posting an id again replaces that hint'),
    description: z.string().max(1024).default('').describe('what the application expects, for operators'),
    scope: scopeSchema,
    window: windowSchema,
    factor: z
      .number()
      .finite()
      .min(0)
      .max(1000)
      .describe('expected load (growth) factor while in force: 3 triples the forecast, 0.5 halves it'),
  })
  .strict();

export type HintRequest = z.output<typeof hintRequestSchema>;

/** A stored hint as the API shows it. */
export interface HintView extends Omit<HintRequest, 'id'> {
  readonly id: string;
  readonly createdAtMs: number;
  /** When a one-off hint's window ends; null for a recurring one. */
  readonly endsAtMs: number | null;
}

/** The domain's hint from a validated request. */
export function toApplicationHint(id: string, request: Omit<HintRequest, 'id'>): ApplicationHint {
  const { scope, window } = request;
  return {
    id,
    factor: request.factor,
    scope:
      scope.kind === 'hash-range'
        ? { kind: 'hash-range', range: { lo: BigInt(scope.lo), hi: BigInt(scope.hi) } }
        : scope,
    window: window.kind === 'recurring' ? parseRecurringWindow(window.schedule) : window,
  };
}
