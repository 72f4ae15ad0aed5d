import { readKnobs } from '@recovery/runtime/knobs';
import { readFileSync } from 'node:fs';
import { UserError, DEFAULT_POLICY, DEFAULT_SCOPE, canonicalScope, isValidScope, parsePolicy, SCOPE_HINT, stateSettings, type Policy } from '@recovery/core';
import { apiUrlFromEnv, StateStore, type GitHub, type RepoRef } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import os from 'node:os';
import { UsageError } from './usage-error';

/** What every CLI command needs: repository, scope, token, client, policy, output. */
export interface CliContext {
  repo: RepoRef;
  scope: string;
  gh: GitHub;
  policy: Policy;
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
  by: string;
  store: () => StateStore;
}

export interface CommonFlags {
  repo?: string;
  scope?: string;
  policy?: string;
  json?: boolean;
}

export function makeContext(flags: CommonFlags, env: NodeJS.ProcessEnv, io: { out: (t: string) => void; err: (t: string) => void }): CliContext {
  const full = flags.repo ?? env.GITHUB_REPOSITORY;
  const m = full ? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full) : null;
  if (!m) throw new UsageError(`--repo: expected owner/name${full ? `, got ${JSON.stringify(full)}` : ' (or set GITHUB_REPOSITORY)'}`);
  const given = flags.scope ?? DEFAULT_SCOPE;
  if (!isValidScope(given)) throw new UsageError(`--scope: ${SCOPE_HINT}, got ${JSON.stringify(given)}`);
  const scope = canonicalScope(given);
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) {
    throw new UserError('No token: set GITHUB_TOKEN or GH_TOKEN to a token with the repository permission "Variables: read and write" (for example `export GH_TOKEN=$(gh auth token)`).');
  }
  let policy = DEFAULT_POLICY;
  if (flags.policy) {
    let text: string;
    try {
      text = readFileSync(flags.policy, 'utf8');
    } catch {
      throw new UserError(`--policy: cannot read ${flags.policy}`);
    }
    policy = parsePolicy(text, flags.policy);
  }
  const repo = { owner: m[1]!, repo: m[2]! };
  const knobs = readKnobs(env);
  const gh = createClient({ token, baseUrl: apiUrlFromEnv(env), userAgent: 'recovery-cli', retryBaseMs: knobs.retryBaseMs, writeSpacingMs: knobs.writeSpacingMs });
  const by = `cli:${env.USER ?? os.userInfo().username ?? 'operator'}`;
  const now = () => new Date();
  let store: StateStore | undefined;
  return {
    repo,
    scope,
    gh,
    policy,
    json: Boolean(flags.json),
    out: io.out,
    err: io.err,
    now,
    by,
    store: () => (store ??= new StateStore({ gh, repo, scope, by, now, log: (t) => io.err(t), ...stateSettings(policy) })),
  };
}
