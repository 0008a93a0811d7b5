import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  type PipeTransform,
} from '@nestjs/common';
import type { z } from 'zod';
import type { JsonLogger } from '../observability/json-logger.js';

/**
 * The one error format of every Shardcast API:
 *   { "error": { "status": 400, "code": "bad_request", "message": "...", "details": [...] } }
 * `details` lists each problem as { path, message } when there is more than one thing wrong.
 */
export interface ApiErrorBody {
  error: { status: number; code: string; message: string; details?: { path: string; message: string }[] };
}

export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, details?: { path: string; message: string }[]) {
    super(
      { error: { status, code, message, ...(details ? { details } : {}) } } satisfies ApiErrorBody,
      status,
    );
  }
}

export function badRequest(message: string, details?: { path: string; message: string }[]): ApiError {
  return new ApiError(HttpStatus.BAD_REQUEST, 'bad_request', message, details);
}

/** Parses input with a zod schema; a failure is a 400 naming every wrong field. */
export function parseOrBadRequest<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request',
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  throw badRequest(`invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform {
  constructor(
    private readonly schema: S,
    private readonly what = 'request body',
  ) {}
  transform(value: unknown): z.output<S> {
    return parseOrBadRequest(this.schema, value, this.what);
  }
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'unavailable',
};

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>();
    const body = toApiError(exception);
    if (body.error.status >= 500) {
      this.logger.event(
        'error',
        'request failed',
        { error: (exception as Error)?.stack ?? String(exception) },
        'Http',
      );
    }
    reply.status(body.error.status).send(body);
  }
}

export function toApiError(exception: unknown): ApiErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (
      typeof response === 'object' &&
      response !== null &&
      'error' in response &&
      typeof response.error === 'object'
    ) {
      return response as ApiErrorBody;
    }
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message =
      typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.map(String).join('; ') : exception.message;
    return { error: { status, code: CODES[status] ?? `http_${status}`, message } };
  }
  // Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode.
  const fastify = exception as { statusCode?: number; message?: string; code?: string };
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      error: {
        status: fastify.statusCode,
        code: CODES[fastify.statusCode] ?? `http_${fastify.statusCode}`,
        message: fastify.message ?? 'bad request',
      },
    };
  }
  return { error: { status: 500, code: 'internal', message: 'internal error' } };
}

export { BadRequestException };
