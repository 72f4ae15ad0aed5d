import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';
import type { RepoRef } from './variables';

/** What GitHub says protects an environment: what makes a job that names it wait for a person or a timer. */
export interface EnvironmentProtection {
  exists: boolean;
  /** Required reviewers (users and teams). */
  reviewers: number;
  /** Minutes a job waits before it may start. */
  waitTimer: number;
  /** Custom deployment protection rules (GitHub Apps); they need a job with `deployment: true`. */
  customRules: number;
}

type RawRule = { type?: string; wait_timer?: number; reviewers?: unknown[] };

/** One read: GET /repos/{o}/{r}/environments/{name}; an environment that does not exist (404) is `exists: false`. */
export async function getEnvironmentProtection(gh: GitHub, repo: RepoRef, name: string): Promise<EnvironmentProtection> {
  try {
    const { data } = await gh.rest.repos.getEnvironment({ owner: repo.owner, repo: repo.repo, environment_name: name });
    const rules = (data.protection_rules ?? []) as RawRule[];
    return {
      exists: true,
      reviewers: rules.filter((r) => r.type === 'required_reviewers').reduce((n, r) => n + (r.reviewers?.length ?? 0), 0),
      waitTimer: rules.filter((r) => r.type === 'wait_timer').reduce((n, r) => Math.max(n, r.wait_timer ?? 0), 0),
      customRules: rules.filter((r) => r.type !== 'required_reviewers' && r.type !== 'wait_timer' && r.type !== 'branch_policy').length,
    };
  } catch (e) {
    if (httpStatus(e) === 404) return { exists: false, reviewers: 0, waitTimer: 0, customRules: 0 };
    throw describeError(e, 'actions', 'read', `read the environment ${name}`, `${repo.owner}/${repo.repo}`);
  }
}
