export interface CheckResult {
  up: boolean;
  detail: string;
}

/**
 * What /health reports: named dependency checks (all must be up to be ready) and named
 * details (facts an operator wants beside them, such as the TensorFlow.js backend).
 */
export class HealthRegistry {
  private readonly checks = new Map<string, () => Promise<CheckResult>>();
  private readonly details = new Map<string, () => unknown>();

  constructor(private readonly service: string) {}

  addCheck(name: string, check: () => Promise<CheckResult>): void {
    this.checks.set(name, check);
  }

  addDetail(name: string, detail: () => unknown): void {
    this.details.set(name, detail);
  }

  async report(): Promise<{
    status: 'ready' | 'not-ready';
    service: string;
    checks: Record<string, { status: 'up' | 'down'; detail: string }>;
    details: Record<string, unknown>;
  }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const result = await check().catch((error: unknown) => ({
          up: false,
          detail: (error as Error).message,
        }));
        return [
          name,
          { status: result.up ? ('up' as const) : ('down' as const), detail: result.detail },
        ] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, c]) => c.status === 'up');
    const details = Object.fromEntries([...this.details].map(([name, get]) => [name, get()]));
    return { status: ready ? 'ready' : 'not-ready', service: this.service, checks, details };
  }
}
