import { type ConflictReason, formatLogPosition, type LogPosition } from './domain/index.js';

/** How a conditional record ended when this node applied it. */
export type WriteOutcome =
  | { readonly kind: 'applied' }
  | {
      readonly kind: 'conflict';
      readonly reason: ConflictReason;
      readonly currentVersion: LogPosition | undefined;
    };

interface Waiter {
  readonly ready: () => boolean;
  readonly resolve: (ready: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/** How many recent outcomes are kept for writers (or peers) that ask after the apply. */
const OUTCOMES_KEPT = 100_000;

/**
 * Lets requests wait for the apply loop: a read with a token until its offset is applied,
 * a conditional write until its record's outcome is known. Waiters are checked again when
 * the partition they wait on advances, or when the replica set changes.
 */
export class ApplyProgress {
  private readonly waiters = new Map<number, Set<Waiter>>();
  private readonly outcomes = new Map<string, WriteOutcome>();
  private readonly outcomeWaiters = new Map<string, ((outcome: WriteOutcome) => void)[]>();

  /** Resolves true once `ready()` holds, false after `timeoutMs`. */
  waitUntil(partition: number, ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.waiters.get(partition) ?? new Set<Waiter>();
      this.waiters.set(partition, set);
      const waiter: Waiter = {
        ready,
        resolve,
        timer: setTimeout(() => {
          set.delete(waiter);
          resolve(ready());
        }, timeoutMs),
      };
      set.add(waiter);
    });
  }

  /** A partition advanced on some replica. */
  advanced(partition: number): void {
    const set = this.waiters.get(partition);
    if (set === undefined) return;
    for (const waiter of set) this.check(set, waiter);
  }

  /** The replica set changed: any waiter may be ready now. */
  changed(): void {
    for (const set of this.waiters.values()) for (const waiter of set) this.check(set, waiter);
  }

  recordOutcome(position: LogPosition, outcome: WriteOutcome): void {
    const key = formatLogPosition(position);
    if (this.outcomes.has(key)) return;
    this.outcomes.set(key, outcome);
    if (this.outcomes.size > OUTCOMES_KEPT) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest !== undefined) this.outcomes.delete(oldest);
    }
    const waiting = this.outcomeWaiters.get(key);
    if (waiting !== undefined) {
      this.outcomeWaiters.delete(key);
      for (const resolve of waiting) resolve(outcome);
    }
  }

  /** The outcome of the conditional record at `position`, or undefined if not applied here in time. */
  waitForOutcome(position: LogPosition, timeoutMs: number): Promise<WriteOutcome | undefined> {
    const key = formatLogPosition(position);
    const known = this.outcomes.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const list = this.outcomeWaiters.get(key) ?? [];
      this.outcomeWaiters.set(key, list);
      const timer = setTimeout(() => {
        const remaining = this.outcomeWaiters.get(key)?.filter((entry) => entry !== done) ?? [];
        if (remaining.length === 0) this.outcomeWaiters.delete(key);
        else this.outcomeWaiters.set(key, remaining);
        resolve(undefined);
      }, timeoutMs);
      const done = (outcome: WriteOutcome): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      list.push(done);
    });
  }

  private check(set: Set<Waiter>, waiter: Waiter): void {
    if (!waiter.ready()) return;
    set.delete(waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(true);
  }
}
