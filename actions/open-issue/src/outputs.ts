import { outputNames } from '@recovery/runtime';

/** Every output of open-issue (action.yml `outputs`), written at once by writeOutputs. */
export interface Outputs {
  'issue-number': number | '';
  'issue-url': string;
  action: string;
}

export const OUTPUTS = outputNames<Outputs>()({ 'issue-number': true, 'issue-url': true, action: true });
