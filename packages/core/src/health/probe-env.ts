import { UserError } from '../errors';

/**
 * The `probe_env` secret: dotenv lines (`NAME=value`) that become the environment of the probes and the
 * recovery steps, and fill `${NAME}` in the policy's headers. Its values are credentials by definition,
 * so each is masked; nothing else a workflow passes is.
 *
 * The format is strict, so that a pasted token or a stray line is an error rather than a variable that
 * silently does not exist: `NAME=value` a line, blank lines and `#` comments; the value verbatim to the end
 * of the line (a `#` in it is part of it), or quoted with '…' or "…" (taken as written, no escapes). A
 * problem names the secret and the line's number, never the line: it may hold the secret itself.
 */
export const PROBE_ENV = 'probe_env';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the runner or the shell own: setting them from a secret would change how the step runs, not what it sends. */
const RESERVED = /^(?:GITHUB_\w*|RUNNER_\w*|ACTIONS_\w*|INPUT_\w*|STATE_\w*|PATH|HOME|CI|NODE_OPTIONS|NODE_PATH|LD_PRELOAD|LD_LIBRARY_PATH|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|IFS|PS4)$/i;
/** Shorter values are not masked (masking `1` would blank every 1 in the log), as for header values. */
export const MIN_MASK_LENGTH = 4;

export function parseProbeEnv(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const n = i + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? '' : line.slice(0, eq).trim();
    if (eq < 0 || !NAME.test(name)) {
      problems.push(`line ${n}: expected NAME=value, with a name of letters, digits and _ that does not start with a digit`);
      return;
    }
    if (RESERVED.test(name)) {
      problems.push(`line ${n}: ${name} is reserved (the runner or the shell owns it); choose another name`);
      return;
    }
    const earlier = seen.get(name.toUpperCase());
    if (earlier !== undefined) {
      problems.push(`line ${n}: ${name} is set again (first on line ${earlier})`);
      return;
    }
    seen.set(name.toUpperCase(), n);
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      if (value.length < 2 || !value.endsWith(quote) || value.slice(1, -1).includes(quote)) {
        problems.push(`line ${n}: ${name}'s value opens a ${quote === '"' ? 'double' : 'single'} quote it does not close at the end of the line (values are one line)`);
        return;
      }
      value = value.slice(1, -1);
    }
    if (value === '') {
      problems.push(`line ${n}: ${name} has no value`);
      return;
    }
    out[name] = value;
  });
  if (problems.length) {
    throw new UserError(
      `Invalid secret \`${PROBE_ENV}\`: ${problems.join('; ')}. ` +
        'Expected dotenv lines NAME=value (blank lines and # comments allowed); the lines are not shown, as they hold secrets. Nothing was probed.',
      problems.map((p) => `${PROBE_ENV}: ${p}`),
    );
  }
  return out;
}

/** The values of probe_env to mask: every one long enough to mask. */
export const probeEnvMasks = (env: Readonly<Record<string, string>>): string[] => Object.values(env).filter((v) => v.length >= MIN_MASK_LENGTH);
