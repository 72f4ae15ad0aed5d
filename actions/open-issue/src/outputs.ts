import { outputNames } from '@recovery/runtime';
import type { IncidentIssueOutputs } from '@recovery/services';

/** Every output of open-issue (action.yml `outputs`), written at once by writeOutputs. */
export type Outputs = IncidentIssueOutputs;

export const OUTPUTS = outputNames<Outputs>()({ 'issue-number': true, 'issue-url': true, action: true, 'report-path': true });
