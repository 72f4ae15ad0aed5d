import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { USAGE } from '../../packages/cli/src/main';
import { BREAKER_USAGE } from '../../packages/cli/src/commands/breaker';
import { REPO_ROOT } from '@recovery/testkit/harness';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const ACTIONS = ['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue'];

/** The rows of docs/parity.md's table: capability, where, status. */
function rows(): Array<{ capability: string; where: string; status: string }> {
  return read('docs/parity.md')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| capability') && !l.startsWith('| ---'))
    .map((l) => {
      const [capability, where, status] = l.slice(2, -2).split(' | ');
      return { capability: capability!, where: where!, status: status! };
    });
}

/** What one backticked name in the where column refers to, and whether it exists; undefined when it does. */
function missing(name: string, readme: string): string | undefined {
  const action = /^([a-z-]+): ([a-z-]+)$/.exec(name);
  if (action && ACTIONS.includes(action[1]!)) {
    const meta = parse(read(`${action[1]}/action.yml`)) as { inputs?: object; outputs?: object };
    return action[2]! in (meta.inputs ?? {}) || action[2]! in (meta.outputs ?? {}) ? undefined : `${action[1]} has no input or output ${action[2]}`;
  }
  if (name.startsWith('recovery-cli ')) {
    const [, command, sub] = name.split(' ');
    const known = new RegExp(`^  recovery-cli ${command} `, 'm').test(USAGE) && (sub === undefined || (command === 'breaker' && new RegExp(`^  ${sub}\\b`, 'm').test(BREAKER_USAGE)));
    return known ? undefined : `the CLI's usage has no "${name}"`;
  }
  if (name.includes('/')) return existsSync(path.join(REPO_ROOT, name)) ? undefined : `no file ${name}`;
  if (/^[a-z]/.test(name)) return readme.includes(`| \`${name}\` |`) ? undefined : `the README's policy reference has no key ${name}`;
  return `cannot tell what ${name} is`;
}

describe('docs/parity.md', () => {
  it('lists capabilities whose every named place exists, and names the issue of each planned one', () => {
    const readme = read('README.md');
    const table = rows();
    expect(table.length).toBeGreaterThanOrEqual(30);
    const problems: string[] = [];
    for (const row of table) {
      const names = [...row.where.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((n) => !n.startsWith('--'));
      if (!names.length) problems.push(`${row.capability}: names no place`);
      // A planned row may name the place it will live (recovery-cli probe), which need not exist yet.
      for (const n of row.status.startsWith('done') ? names : []) {
        const why = missing(n, readme);
        if (why) problems.push(`${row.capability}: ${why}`);
      }
      if (!/^done|^planned: issue \d+/.test(row.status)) problems.push(`${row.capability}: status ${JSON.stringify(row.status)} is neither done nor planned: issue N`);
    }
    expect(problems).toEqual([]);
  });

  it('fails on a place that does not exist', () => {
    expect(missing('packages/core/src/nowhere.ts', '')).toBe('no file packages/core/src/nowhere.ts');
    expect(missing('recovery-cli breaker teleport', '')).toBe('the CLI\'s usage has no "recovery-cli breaker teleport"');
    expect(missing('recovery-cli teleport', '')).toBe('the CLI\'s usage has no "recovery-cli teleport"');
    expect(missing('redeploy: warp-speed', '')).toBe('redeploy has no input or output warp-speed');
    expect(missing('breaker.no-such-key', read('README.md'))).toBe("the README's policy reference has no key breaker.no-such-key");
  });
});
