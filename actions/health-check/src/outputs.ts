import { outputNames } from '@recovery/runtime';

/** Every output of health-check (action.yml `outputs`), written at once by writeOutputs. */
export interface Outputs {
  status: string;
  'should-recover': boolean;
  reason: string;
  'healthy-count': number;
  'total-count': number;
  failed: string;
  report: string;
  'report-path': string;
  'ended-incident': string;
}

export const OUTPUTS = outputNames<Outputs>()({ status: true, 'should-recover': true, reason: true, 'healthy-count': true, 'total-count': true, failed: true, report: true, 'report-path': true, 'ended-incident': true });
