import { UserError } from '@recovery/core';

/** Bad arguments: exit code 2 and the usage text. */
export class UsageError extends UserError {}
