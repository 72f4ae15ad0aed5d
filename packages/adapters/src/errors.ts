import { UserError } from '@recovery/core';

/** The GitHub resource a request touched, to say which permission is missing. */
export type Resource = 'variables' | 'environments' | 'issues' | 'actions' | 'deployments' | 'contents' | 'metadata' | 'packages';

const PERMISSION_NAMES: Record<Resource, string> = {
  variables: 'Variables',
  environments: 'Environments',
  issues: 'Issues',
  actions: 'Actions',
  deployments: 'Deployments',
  contents: 'Contents',
  metadata: 'Metadata',
  packages: 'Packages',
};

interface HttpErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown; url?: string };
}

export function httpStatus(e: unknown): number | undefined {
  const s = (e as HttpErrorLike | undefined)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** The error GitHub's API answers, made into a message that says what to do. */
export class GitHubError extends UserError {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** Set when GitHub refused for lack of a permission of the token: its name, like `Variables: read`. */
    readonly missingPermission?: string,
  ) {
    super(message);
  }
}

/** The permission a refused request lacked (undefined for any other error), also when another error carries it as its cause. */
export const missingPermission = (e: unknown): string | undefined =>
  e instanceof GitHubError ? e.missingPermission : e instanceof Error && e.cause !== undefined ? missingPermission(e.cause) : undefined;

export const VARIABLES_PERMISSION_MESSAGE =
  'the token cannot write repository variables; it needs the repository permission "Variables: read and write" ' +
  '(fine-grained token or GitHub App); the built-in GITHUB_TOKEN cannot; pass one as the `token` input';

/**
 * Describes a failed request for a person. `what` says what was being done ("read the state variable").
 * Returns a GitHubError; callers throw it.
 */
export function describeError(e: unknown, resource: Resource, access: 'read' | 'write', what: string, repo?: string): GitHubError {
  const err = e as HttpErrorLike;
  const status = httpStatus(e);
  const apiMessage = (err?.response?.data as { message?: string } | undefined)?.message ?? err?.message ?? String(e);
  const accepted = err?.response?.headers?.['x-accepted-github-permissions'];
  if (status === 401) {
    return new GitHubError(`Could not ${what}: GitHub rejected the token (401 ${apiMessage}). Check the \`token\` input or GITHUB_TOKEN.`, status);
  }
  if (status === 403 && !/rate limit/i.test(apiMessage)) {
    const perm = `${PERMISSION_NAMES[resource]}: ${access === 'write' ? 'read and write' : 'read'}`;
    if (resource === 'variables' && access === 'write') {
      return new GitHubError(`Could not ${what}: ${VARIABLES_PERMISSION_MESSAGE}. (GitHub said: 403 ${apiMessage})`, status, perm);
    }
    // A workflow's `permissions:` cannot grant Variables or Environments: GITHUB_TOKEN has no such permission at all.
    const where =
      resource === 'variables' || resource === 'environments'
        ? `a fine-grained token or GitHub App; the built-in GITHUB_TOKEN has no ${PERMISSION_NAMES[resource]} permission, not even read`
        : 'workflow `permissions:`, fine-grained token or GitHub App';
    return new GitHubError(
      `Could not ${what}: the token lacks the repository permission "${perm}"` + (accepted ? ` (GitHub accepts: ${accepted})` : '') + `. Give the token that permission (${where}). (GitHub said: 403 ${apiMessage})`,
      status,
      perm,
    );
  }
  if (status === 404 && repo) {
    return new GitHubError(`Could not ${what}: ${repo} was not found, or the token cannot see it (404). Check the repository name and the token's access.`, status);
  }
  if (status === 422) {
    const details = ((err?.response?.data as { errors?: Array<{ message?: string } | string> } | undefined)?.errors ?? [])
      .map((x) => (typeof x === 'string' ? x : x?.message))
      .filter(Boolean);
    const said = `422 ${apiMessage}${details.length ? `: ${details.join('; ')}` : ''}`;
    if (/maximum number of variables/i.test(said)) {
      return new GitHubError(
        `Could not ${what}: GitHub's limit on variables is reached (${said}): 500 per repository, 100 per environment. ` +
          'Delete variables that are no longer used (the state of old scopes, *__CORRUPT backups) and run again.',
        status,
      );
    }
    return new GitHubError(`Could not ${what}: GitHub refused the request (${said}).`, status);
  }
  if (status !== undefined && status >= 500) {
    return new GitHubError(`Could not ${what}: GitHub kept failing (${status} ${apiMessage}) after retries. Try again later; nothing was changed by this step.`, status);
  }
  if (status === 429 || (status === 403 && /rate limit/i.test(apiMessage))) {
    return new GitHubError(`Could not ${what}: GitHub's rate limit was still exceeded after waiting (${status} ${apiMessage}). Lower the schedule's frequency or use a token with a larger budget.`, status);
  }
  // An answer that is not what GitHub documents (a field missing, of another type, not JSON) fails where it
  // is read, as a TypeError or SyntaxError of our own code: say that, not the JavaScript of it.
  if (status === undefined && (e instanceof TypeError || e instanceof SyntaxError) && !/fetch failed/i.test(apiMessage)) {
    return new GitHubError(`Could not ${what}: GitHub answered something unexpected (${apiMessage}). Try again; if it persists, the API may have changed.`, undefined);
  }
  return new GitHubError(`Could not ${what}: ${status ? `${status} ` : ''}${apiMessage}`, status);
}
