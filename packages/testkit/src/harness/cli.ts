import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './runner';

/** The operator CLI's committed bundle (`node scripts/bundle.mjs cli` after changes). */
export const CLI_BUNDLE = path.join(REPO_ROOT, 'dist/cli/index.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** GITHUB_API_URL: the emulator. */
  apiUrl: string;
  /** GITHUB_TOKEN (default 'test-token'). */
  token?: string;
  /** Applied last; `undefined` removes a variable (e.g. GITHUB_TOKEN, to test "no token"). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/**
 * Runs the CLI bundle as an operator runs it: node, a clean environment (PATH, HOME, USER=operator,
 * GITHUB_API_URL, GITHUB_TOKEN and what `env` adds), no host GITHUB_* or tokens.
 */
export function runCli(args: readonly string[], o: CliOptions): Promise<CliResult> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`no CLI bundle at ${CLI_BUNDLE}: run node scripts/bundle.mjs cli`);
  const env = cliEnv(o);
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, ...args], { env, timeout: o.timeoutMs ?? 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function cliEnv(o: CliOptions): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', USER: 'operator', GITHUB_API_URL: o.apiUrl, GITHUB_TOKEN: o.token ?? 'test-token' };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** The CLI's `main` (packages/cli/src/main.ts): what its bundle's index.ts runs. */
export type CliMain = (argv: string[], env: NodeJS.ProcessEnv, io: { out: (text: string) => void; err: (text: string) => void }) => Promise<number>;

/**
 * Runs the CLI's main in this process with the environment runCli gives the bundle, and answers the same
 * CliResult (each line the CLI writes ends in a newline, as index.ts writes them). For behaviour; loading,
 * the package and the process's own exit stay with runCli.
 */
export async function runCliInProcess(main: CliMain, args: readonly string[], o: CliOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args], cliEnv(o), { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) });
  return { code, stdout, stderr };
}
