import { context } from '@actions/github';
import { cliCommand, parseProbeEnv, UserError } from '@recovery/core';
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
  /**
   * The `probe_env` secret, which the reusable workflows give the probing steps as PROBE_ENV (dotenv
   * lines), parsed: it fills `${NAME}` in the policy and is the environment of command probes and recovery steps.
   */
  probeEnv: Readonly<Record<string, string>>;
}

/** What the run's context says, as @actions/github's `context` reads it from the runner's environment and event file. */
export type RunContext = Pick<typeof context, 'runId' | 'runAttempt' | 'serverUrl' | 'apiUrl' | 'eventName' | 'actor' | 'payload' | 'job' | 'action'>;

/** `gh`: the run's context (default @actions/github's, read once at start-up; tests give one read from their own environment). */
export function actionContext(env: NodeJS.ProcessEnv = process.env, gh: RunContext = context): ActionContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set to owner/name: run this inside GitHub Actions (or set it).');
  const runId = gh.runId || 0;
  const runAttempt = gh.runAttempt || 1;
  const serverUrl = gh.serverUrl.replace(/\/+$/, '');
  const eventName = gh.eventName ?? 'workflow_dispatch';
  // A login is [A-Za-z0-9-] (bots add [bot]); anything else is not recorded.
  const actor = (env.GITHUB_TRIGGERING_ACTOR || gh.actor || '').trim();
  const triggeredBy = eventName === 'workflow_dispatch' && /^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$/.test(actor) ? actor : undefined;
  return {
    repo: { owner, repo },
    apiUrl: (gh.apiUrl || 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl,
    runId,
    runAttempt,
    eventName,
    event: gh.payload as Record<string, unknown>,
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    runnerTemp: env.RUNNER_TEMP ?? env.TMPDIR ?? '/tmp',
    job: gh.job,
    action: gh.action,
    by: `run ${runId}/${runAttempt}${triggeredBy ? ` by ${triggeredBy}` : ''}`,
    triggeredBy,
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ''}`,
    now: () => new Date(),
    knobs: readKnobs(env),
    probeEnv: parseProbeEnv(env.PROBE_ENV),
    cli: cliCommand({ repository: env.GITHUB_ACTION_REPOSITORY, ref: env.GITHUB_ACTION_REF }),
  };
}
