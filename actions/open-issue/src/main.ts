import { actionRun } from '@recovery/runtime';
import { incidentIssue } from '@recovery/services';
import { Inputs } from './inputs';

/** open-issue: typed inputs → the incident-issue service → one Outputs, the step's status and the job summary. The chat webhook URL is a credential (its path is the key): masked before anything runs. */
export const run = actionRun(Inputs, incidentIssue, { secretInputs: ['notify-webhook'] });
