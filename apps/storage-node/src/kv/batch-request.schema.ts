import { z } from 'zod';
import { badRequest, parseOrBadRequest } from '@shardcast/platform';
import { MAX_KEY_BYTES, parseDeleteCondition, parseWriteCondition } from './domain/index.js';
import { type WriteOperation } from './kv.service.js';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const batchOperation = z
  .object({
    op: z.enum(['put', 'delete']).describe('put or delete'),
    key: z.string().min(1).optional().describe('the key as UTF-8 text'),
    keyBase64: base64.min(1).optional().describe('the key as base64 bytes (instead of key)'),
    value: z.string().optional().describe('a put’s value as UTF-8 text'),
    valueBase64: base64.optional().describe('a put’s value as base64 bytes (instead of value)'),
    ifMatch: z.string().optional().describe('apply only at this version (an ETag)'),
    ifNoneMatch: z.string().optional().describe('"*": create only'),
  })
  .strict();

const batchRequest = z.object({ operations: z.array(batchOperation).min(1) }).strict();

/** Parses a batch-write body into operations; every problem is a 400 naming the operation. */
export function parseBatchRequest(
  body: unknown,
  limits: { maxOperations: number; maxValueBytes: number },
): WriteOperation[] {
  if (body === undefined || Buffer.isBuffer(body)) {
    throw badRequest('a batch write needs a JSON body (Content-Type: application/json) with "operations"');
  }
  const parsed = parseOrBadRequest(batchRequest, body, 'batch');
  if (parsed.operations.length > limits.maxOperations) {
    throw badRequest(
      `a batch holds at most ${limits.maxOperations} operations, this one ${parsed.operations.length}`,
    );
  }
  return parsed.operations.map((operation, index): WriteOperation => {
    const where = `operations[${index}]`;
    if ((operation.key === undefined) === (operation.keyBase64 === undefined)) {
      throw badRequest(`${where}: give exactly one of key and keyBase64`);
    }
    const key =
      operation.key !== undefined
        ? Buffer.from(operation.key, 'utf8')
        : Buffer.from(operation.keyBase64!, 'base64');
    if (key.length === 0 || key.length > MAX_KEY_BYTES)
      throw badRequest(`${where}: the key must be 1..${MAX_KEY_BYTES} bytes`);
    const headers = { ifMatch: operation.ifMatch, ifNoneMatch: operation.ifNoneMatch };
    if (operation.op === 'delete') {
      if (operation.value !== undefined || operation.valueBase64 !== undefined)
        throw badRequest(`${where}: a delete has no value`);
      const condition = parseDeleteCondition(headers);
      if (!condition.ok) throw badRequest(`${where}: ${condition.reason}`);
      return { op: 'delete', key, condition: condition.value };
    }
    if ((operation.value === undefined) === (operation.valueBase64 === undefined)) {
      throw badRequest(`${where}: a put needs exactly one of value and valueBase64`);
    }
    const value =
      operation.value !== undefined
        ? Buffer.from(operation.value, 'utf8')
        : Buffer.from(operation.valueBase64!, 'base64');
    if (value.length > limits.maxValueBytes)
      throw badRequest(`${where}: the value is ${value.length} bytes; the limit is ${limits.maxValueBytes}`);
    const condition = parseWriteCondition(headers);
    if (!condition.ok) throw badRequest(`${where}: ${condition.reason}`);
    return { op: 'put', key, value, condition: condition.value };
  });
}
