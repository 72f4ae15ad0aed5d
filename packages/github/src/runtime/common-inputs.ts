import { z } from 'zod';
import { DEFAULT_SCOPE, SCOPE_HINT, bool, isValidScope } from '@recovery/core';

/** Input fragments every action shares; each action's own schema spreads them. */
export const commonInputs = {
  scope: z
    .string()
    .trim()
    .refine(isValidScope, { message: SCOPE_HINT })
    .default(DEFAULT_SCOPE),
  policy: z.string().optional(),
  token: z.string().default(''),
  'dry-run': bool().default(false),
};
