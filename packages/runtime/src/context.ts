import { context } from '@actions/github';
import { cliCommand, UserError } from '@recovery/core';
import type { RepoRef } from '@recovery/adapters';
import { readKnobs, type Knobs } from './knobs';

/** What the runner tells an action about its run, read once through @actions/github's context. */
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
  /** GITHUB_JOB and GITHUB_ACTION: tell several steps of one run apart (change ids, file names). */
  job: string | undefined;
  action: string | undefined;
  /** `run <id>/<attempt>`, and `by <login>` for a run a person started: who wrote a state change. */
  by: string;
  /** The person who started this run by hand (workflow_dispatch: the triggering actor); undefined otherwise. */
  triggeredBy: string | undefined;
  /** The link to this run, for issues and summaries. */
  runUrl: string;
  /** The operator CLI of the release this action came from (GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF). */
  cli: string;
  now: () => Date;
  /** Test knobs, read from the environment here and nowhere else. */
  knobs: Knobs;
}

export function actionContext(env: NodeJS.ProcessEnv = process.env): ActionContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set to owner/name: run this inside GitHub Actions (or set it).');
  const runId = context.runId || 0;
  const runAttempt = context.runAttempt || 1;
  const serverUrl = context.serverUrl.replace(/\/+$/, '');
  const eventName = context.eventName ?? 'workflow_dispatch';
  // A login is [A-Za-z0-9-] (bots add [bot]); anything else is not recorded.
  const actor = (env.GITHUB_TRIGGERING_ACTOR || context.actor || '').trim();
  const triggeredBy = eventName === 'workflow_dispatch' && /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$/.test(actor) ? actor : undefined;
  return {
    repo: { owner, repo },
    apiUrl: (context.apiUrl || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl,
    runId,
    runAttempt,
    eventName,
    event: context.payload as Record<string, unknown>,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    runnerTemp: env.RUNNER_TEMP ?? env.TMPDIR ?? '/tmp',
    job: context.job,
    action: context.action,
    by: `run ${runId}/${runAttempt}${triggeredBy ? ` by ${triggeredBy}` : ''}`,
    triggeredBy,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ''}`,
    now: () => new Date(),
    knobs: readKnobs(env),
    cli: cliCommand({ repository: env.GITHUB_ACTION_REPOSITORY, ref: env.GITHUB_ACTION_REF }),
  };
}
