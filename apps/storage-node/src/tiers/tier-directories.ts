import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export type Tier = 'fast' | 'slow';

/** The node's two tier directories, created at start so a fresh node can take replicas at once. */
export class TierDirectories {
  readonly fast: string;
  readonly slow: string;

  constructor(paths: { fast: string; slow: string }) {
    this.fast = resolve(paths.fast);
    this.slow = resolve(paths.slow);
    if (this.fast === this.slow)
      throw new Error(`FAST_TIER_DIR and SLOW_TIER_DIR must differ (both ${this.fast})`);
    mkdirSync(this.fast, { recursive: true });
    mkdirSync(this.slow, { recursive: true });
  }

  path(tier: Tier): string {
    return tier === 'fast' ? this.fast : this.slow;
  }
}
