import { z } from 'zod';

/**
 * The one way a Shardcast service reads its environment: a zod object per app, parsed once
 * at boot. Every bad variable is reported at once, each with its description, so an
 * operator fixes a deployment in one pass. Nothing else reads process.env.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const SENSITIVE = 'sensitive';

/** Marks a variable whose value must never be logged (credentials, URLs with passwords). */
export function sensitive<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [SENSITIVE]: true });
}

export function loadConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): z.output<z.ZodObject<Shape>> {
  const schema = z.object(shape);
  // Empty strings count as unset: `FOO= cmd` should fall back to the default, not fail on "".
  const input = Object.fromEntries(
    Object.keys(shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(root)');
    const field = shape[name] as z.ZodType | undefined;
    const description = field?.description ? ` (${field.description})` : '';
    const value = input[name];
    const shown = value === undefined ? 'unset' : isSensitive(field) ? 'value hidden' : JSON.stringify(value);
    return `${name}: ${issue.message}; got ${shown}${description}`;
  });
  throw new ConfigError(problems);
}

/** The config as it may be logged: sensitive values masked. */
export function redactConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  config: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [
      name,
      isSensitive(shape[name] as z.ZodType | undefined) ? '***' : value,
    ]),
  );
}

function isSensitive(field: z.ZodType | undefined): boolean {
  const meta: Record<string, unknown> | undefined = field?.meta();
  return meta?.[SENSITIVE] === true;
}

/** Kinds of variable every service shares, so numbers and flags parse the same way everywhere. */
export const configVars = {
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().nonnegative().default(fallback),
  nonNegativeNumber: (fallback: number) => z.coerce.number().finite().nonnegative().default(fallback),
  /** Text read by a parser that says why it rejects a value; the reason becomes the config error. */
  parsedText: <T>(
    fallback: string,
    parse: (text: string) => { ok: true; value: T } | { ok: false; reason: string },
  ) =>
    z
      .string()
      .default(fallback)
      .transform((text, context) => {
        const parsed = parse(text);
        if (!parsed.ok) {
          context.addIssue({ code: 'custom', message: parsed.reason });
          return z.NEVER;
        }
        return parsed.value;
      }),
  /** true/false or 1/0. */
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
};

// 0 asks the OS for any free port (tests start services that way).
const port = (defaultPort: number): z.ZodType<number> =>
  z.coerce.number().int().min(0).max(65535).default(defaultPort);

/** Variables every service shares; an app spreads this into its own shape. */
export function baseConfigShape(service: { name: string; defaultPort: number }) {
  return {
    PORT: port(service.defaultPort).describe(
      'HTTP port of the service (admin API, /health, /metrics, /docs)',
    ),
    HOST: z.string().min(1).default('127.0.0.1').describe('address the HTTP server binds'),
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .refine(
        (brokers) => brokers.length > 0 && brokers.every((b) => /^[^:\s]+:\d{1,5}$/.test(b)),
        'must be host:port[,host:port…]',
      )
      .describe('Kafka bootstrap brokers, comma-separated host:port'),
    KAFKA_CLIENT_ID: z.string().min(1).default(`shardcast-${service.name}`).describe('Kafka client id'),
    TOPIC_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, 'only letters, digits, ".", "_" and "-"')
      .default('')
      .describe('prefix of every topic name (lets several stacks or test runs share a broker)'),
    DATABASE_URL: sensitive(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .default('postgres://postgres@127.0.0.1:5432/postgres')
        .describe('Postgres connection URL of the metadata store'),
    ),
    DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
      .default(service.name.replaceAll('-', '_'))
      .describe('Postgres schema this service owns'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('lowest level logged'),
    OTEL_TRACES_EXPORTER: z
      .enum(['none', 'otlp', 'console'])
      .default('none')
      .describe('where traces go: none (default), otlp (OTLP/HTTP) or console'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z
      .url()
      .optional()
      .describe('OTLP/HTTP endpoint, e.g. http://127.0.0.1:4318'),
  };
}

export type BaseConfig = z.output<z.ZodObject<ReturnType<typeof baseConfigShape>>>;
