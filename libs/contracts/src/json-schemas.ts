import { z } from 'zod';
import { TOPICS } from './topics.js';

/**
 * JSON Schema of every event, generated from the zod schemas (the single truth) and
 * committed under libs/contracts/schemas, so a wire change shows up in review.
 */
export function eventJsonSchemas(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const spec of Object.values(TOPICS)) {
    schemas[spec.event] = z.toJSONSchema(spec.schema, { io: 'input', unrepresentable: 'any' });
  }
  return schemas;
}
