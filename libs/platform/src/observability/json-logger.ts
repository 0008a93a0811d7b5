import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Structured logs, one JSON object per line on stdout, for every service. Nest's own
 * messages come through the same LoggerService, so there is one format to grep or ship.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  private errors = 0;

  /** Error lines logged since start: the node-health sample reports their rate. */
  get errorCount(): number {
    return this.errors;
  }

  /** Structured entry with fields, for the service's own code. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown> = {}, context?: string): void {
    if (level === 'error') this.errors += 1;
    if (RANK[level] < RANK[this.level]) return;
    this.write(
      safeStringify({ ts: new Date().toISOString(), level, service: this.service, context, msg, ...fields }),
    );
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context as the last string argument, and a stack before it on errors.
    const args = [...rest];
    const context = typeof args.at(-1) === 'string' ? (args.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (level === 'error' && typeof args[0] === 'string') fields.stack = args.shift();
    if (args.length > 0) fields.extra = args;
    if (message instanceof Error) {
      fields.stack ??= message.stack;
      this.event(level, message.message, fields, context);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, message: m, ...more } = message as Record<string, unknown>;
      this.event(level, asText(msg ?? m ?? ''), { ...more, ...fields }, context);
    } else {
      this.event(level, String(message), fields, context);
    }
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : safeStringify(value);
}

function safeStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
