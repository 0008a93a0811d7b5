import { z } from 'zod';
import { openApi } from './heat-api.schemas.js';

/** The platform's one error format, for the OpenAPI document. */
export const apiErrorSchema = openApi(
  z.object({
    error: z.object({
      status: z.number().int(),
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  }),
);
