import { readFileSync } from 'node:fs';
import { UserError } from '@recovery/core';
import { apiUrlFromEnv } from '@recovery/adapters';
import type { RepoRef } from '@recovery/adapters';

/** What the runner tells an action about its run, read once from the environment. */
export interface ActionContext {
  repo: RepoRef;
  apiUrl: string;
  serverUrl: string;
  runId: number;
  runAttempt: number;
  eventName: string;
  event: Record<string, unknown>;
  workspace: string;
  runnerTemp: string;
  /** `run <id>/<attempt>`: who wrote a state change. */
  by: string;
  /** The link to this run, for issues and summaries. */
  runUrl: string;
  now: () => Date;
}

export function contextFromEnv(env: NodeJS.ProcessEnv = process.env): ActionContext {
  const full = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = full.split('/');
  if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set to owner/name: run this inside GitHub Actions (or set it).');
  let event: Record<string, unknown> = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Record<string, unknown>;
    } catch {
      event = {};
    }
  }
  const runId = Number(env.GITHUB_RUN_ID ?? 0) || 0;
  const runAttempt = Number(env.GITHUB_RUN_ATTEMPT ?? 1) || 1;
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  return {
    repo: { owner, repo },
    apiUrl: apiUrlFromEnv(env),
    serverUrl,
    runId,
    runAttempt,
    eventName: env.GITHUB_EVENT_NAME ?? 'workflow_dispatch',
    event,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    runnerTemp: env.RUNNER_TEMP ?? env.TMPDIR ?? '/tmp',
    by: `run ${runId}/${runAttempt}`,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ''}`,
    now: () => new Date(),
  };
}
