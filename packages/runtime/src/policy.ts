import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, parsePolicy, literalCredentials, policyChecks, DEFAULT_POLICY, type Policy } from '@recovery/core';

export const DEFAULT_POLICY_PATH = '.github/recovery.yml';

/**
 * The `policy` input: a path under the workspace (default .github/recovery.yml; a missing default file
 * means the built-in defaults) or inline YAML.
 */
export function loadPolicy(input: string | undefined, workspace: string, service = process.env.RECOVERY_SERVICE): { policy: Policy; source: string } {
  const loaded = readPolicy(input, workspace);
  return { policy: narrowToService(loaded.policy, service, loaded.source), source: loaded.source };
}

/**
 * One service's run (recovery.yml sets RECOVERY_SERVICE for every step of a service's recovery): the
 * policy narrowed to that service, so every probe and verify checks it alone. A policy of one service (or
 * none) is that case already; a name the policy of several does not have is an error naming them.
 */
export function narrowToService(policy: Policy, service: string | undefined, source: string): Policy {
  const name = (service ?? '').trim();
  const names = Object.keys(policy.services);
  if (!name || names.length <= 1) return policy;
  const def = policy.services[name];
  if (!def) throw new UserError(`Invalid service ${JSON.stringify(name)}: expected one of the services of ${source} (${names.join(', ')})`);
  return { ...policy, services: { [name]: def } };
}

function readPolicy(input: string | undefined, workspace: string): { policy: Policy; source: string } {
  const value = (input ?? '').trim() || DEFAULT_POLICY_PATH;
  const inline = value.includes('\n') || /^[\w-]+\s*:/.test(value) || value.startsWith('{');
  if (inline) return { policy: refuseLiteralCredentials(parsePolicy(value, 'input `policy` (inline YAML)')), source: 'inline' };
  const file = path.resolve(workspace, value);
  const rel = path.relative(workspace, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new UserError(`Invalid input \`policy\`: expected a path inside the workspace or inline YAML, got ${JSON.stringify(value)}`);
  }
  if (!existsSync(file)) {
    if (value === DEFAULT_POLICY_PATH) return { policy: DEFAULT_POLICY, source: 'defaults (no .github/recovery.yml)' };
    throw new UserError(`Invalid input \`policy\`: the file ${value} does not exist in the workspace (check out the repository first, or give inline YAML)`);
  }
  return { policy: parsePolicy(readFileSync(file, 'utf8'), value), source: value };
}

/**
 * An inline policy is a `with:` value, which the runner prints in the log: a credential written into one
 * of its checks is refused as in `targets` (each problem names the check, never the value).
 */
function refuseLiteralCredentials(policy: Policy): Policy {
  const checks = policyChecks(policy);
  const problems = literalCredentials(checks);
  if (problems.length === 0) return policy;
  const lines = problems.map((p) => `services check ${JSON.stringify(checks[Number(p.path[0])]?.name ?? p.path[0])}: ${p.message}`);
  throw new UserError(`Invalid input \`policy\` (inline YAML): ${lines.join('; ')}`);
}
