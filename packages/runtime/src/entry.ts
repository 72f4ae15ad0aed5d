import { UserError } from '@recovery/core';
import type { ActionIO } from './io';
import { runnerIO } from './runner';
import { contextFromEnv, type ActionContext } from './context';
import { createClient, type GitHub } from '@recovery/adapters';

export interface ActionDeps {
  io: ActionIO;
  ctx: ActionContext;
  /** An Octokit for the token (masked first). */
  github: (token: string) => GitHub;
}

export function defaultDeps(): ActionDeps {
  const io = runnerIO();
  const ctx = contextFromEnv();
  return {
    io,
    ctx,
    github: (token) => {
      if (token) io.setSecret(token);
      return createClient({
        token,
        baseUrl: ctx.apiUrl,
        log: { debug: (m) => io.debug(m), info: (m) => io.debug(m), warn: (m) => io.warning(m), error: (m) => io.debug(m) },
      });
    },
  };
}

/** The whole of an action's index.ts: run it, turn errors into a failed step with a clear message. */
export async function runEntry(run: (deps: ActionDeps) => Promise<void>): Promise<void> {
  let deps: ActionDeps | undefined;
  try {
    deps = defaultDeps();
    await run(deps);
  } catch (e) {
    const io = deps?.io ?? runnerIO();
    if (e instanceof UserError) io.setFailed(e.message);
    else {
      io.debug((e as Error)?.stack ?? String(e));
      io.setFailed(`Unexpected error: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}
