import { z } from 'zod';
import { DEFAULT_SCOPE, SCOPE_HINT, bool, canonicalScope, isValidScope } from '@recovery/core';
import { DEFAULT_POLICY_PATH } from './policy';

/** Input fragments every action shares; each action's own schema spreads them. */
export const commonInputs = {
  scope: z
    .string()
    .trim()
    .refine(isValidScope, { message: SCOPE_HINT })
    // Normalised here, once: api_prod and api-prod are one scope everywhere after this.
    .transform(canonicalScope)
    .default(DEFAULT_SCOPE),
  /** A path in the workspace or inline YAML (loadPolicy). */
  policy: z.string().default(DEFAULT_POLICY_PATH),
  // The value is a secret: the message never shows it (", got" stops the echo). A token with a space or
  // a line break is a pasting mistake, which would otherwise reach the HTTP layer (and its errors).
  token: z
    .string()
    .refine((t) => !/[\s\u0000-\u001f\u007f]/.test(t), { message: 'expected a token without spaces or line breaks, got a value that is not one (not shown: it is a secret)' })
    .default(''),
  'dry-run': bool().default(false),
};
