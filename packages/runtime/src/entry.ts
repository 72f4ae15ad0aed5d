import type { z } from 'zod';
import { UserError, probeEnvMasks } from '@recovery/core';
import type { GitHub } from '@recovery/adapters';
import type { ActionIO } from './io';
import { toolkitIO } from './toolkit';
import { actionContext, type ActionContext } from './context';
import { readInputs } from './inputs';
import { finish, type ActionResult, type OutputValue } from './outputs';

export interface ActionDeps {
  io: ActionIO;
  ctx: ActionContext;
  /** An Octokit for the token (masked first); its module is loaded on the first call. */
  github: (token: string) => Promise<GitHub>;
}

/** The runner's: @actions/core for the protocol, @actions/github's context. */
export function defaultDeps(): ActionDeps {
  return actionDeps(toolkitIO(), actionContext());
}

/** The dependencies of a run, given how it talks to the runner and what it knows of its run. */
export function actionDeps(io: ActionIO, ctx: ActionContext): ActionDeps {
  // probe_env holds credentials only: masked before anything could print them, whether a probe uses them or not.
  for (const v of probeEnvMasks(ctx.probeEnv)) io.setSecret(v);
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
export async function runEntry(run: (deps: ActionDeps) => Promise<void>, makeDeps: () => ActionDeps = defaultDeps): Promise<void> {
  let deps: ActionDeps | undefined;
  try {
    deps = makeDeps();
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

/**
 * An action's whole run: read its typed inputs once, hand them to its one service, finish with the
 * service's result (outputs, status, summary). `secretInputs` are credentials, masked before anything runs.
 */
export function actionRun<S extends z.ZodObject, O extends { [K in keyof O]: OutputValue }>(
  inputs: S,
  service: (deps: ActionDeps, inputs: z.output<S>) => Promise<ActionResult<O>>,
  { secretInputs = [] }: { secretInputs?: string[] } = {},
): (deps: ActionDeps) => Promise<void> {
  return async (deps) => {
    for (const name of secretInputs) {
      const value = deps.io.getInput(name);
      if (value) deps.io.setSecret(value);
    }
    await finish(deps.io, await service(deps, readInputs(inputs, deps.io)));
  };
}
