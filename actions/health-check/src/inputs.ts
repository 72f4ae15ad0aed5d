import { z } from 'zod';
import { commonInputs } from '@recovery/github';

export const Inputs = z.object({ ...commonInputs });
export type Inputs = z.output<typeof Inputs>;
