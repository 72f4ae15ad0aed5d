export { IncidentIssueInputs as Inputs } from '@recovery/services';
