import { UserError } from '@recovery/core';
import type { GitHub } from '@recovery/adapters';
import type { ActionIO } from './io';
import { toolkitIO } from './toolkit';
import { actionContext, type ActionContext } from './context';

export interface ActionDeps {
  io: ActionIO;
  ctx: ActionContext;
  /** An Octokit for the token (masked first); its module is loaded on the first call. */
  github: (token: string) => Promise<GitHub>;
}

export function defaultDeps(): ActionDeps {
  const io = toolkitIO();
  const ctx = actionContext();
  return {
    io,
    ctx,
    github: async (token) => {
      if (token) io.setSecret(token);
      const { createClient } = await import('@recovery/adapters/octokit');
      return createClient({
        token,
        baseUrl: ctx.apiUrl,
        retryBaseMs: ctx.knobs.retryBaseMs,
        writeSpacingMs: ctx.knobs.writeSpacingMs,
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
    const io = deps?.io ?? toolkitIO();
    if (e instanceof UserError) io.setFailed(e.message);
    else {
      io.debug((e as Error)?.stack ?? String(e));
      io.setFailed(`Unexpected error: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}
