import { outputNames } from '@recovery/runtime';

/** Every output of redeploy (action.yml `outputs`), written at once by writeOutputs. */
export interface Outputs {
  result: string;
  'run-id': number | '';
  'run-url': string;
  'target-sha': string;
  'target-ref': string;
  'target-artifact': string;
  'replaced-sha': string;
  'fixed-by-step': string;
  attempts: number;
  'duration-seconds': number;
}

export const OUTPUTS = outputNames<Outputs>()({ result: true, 'run-id': true, 'run-url': true, 'target-sha': true, 'target-ref': true, 'target-artifact': true, 'replaced-sha': true, 'fixed-by-step': true, attempts: true, 'duration-seconds': true });
