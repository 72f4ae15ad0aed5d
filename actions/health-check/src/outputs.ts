import { outputNames } from '@recovery/runtime';
import type { HealthCheckOutputs } from '@recovery/services';

/** Every output of health-check (action.yml `outputs`), written at once by writeOutputs. */
export type Outputs = HealthCheckOutputs;

export const OUTPUTS = outputNames<Outputs>()({ status: true, 'should-recover': true, reason: true, 'healthy-count': true, 'total-count': true, failed: true, report: true, 'report-path': true, 'ended-incident': true, 'ended-incidents': true, 'recover-matrix': true, 'unhealthy-services': true, 'artifact-retention-days': true, held: true });
