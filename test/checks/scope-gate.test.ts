import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalScope } from '@recovery/core';

/**
 * GitHub's expressions cannot normalise a string, so the workflows key their concurrency groups by the
 * scope as given and refuse, before anything is written, every spelling that is not canonical. The
 * step's shell must agree with canonicalScope: then every name of one variable that passes is one group.
 */

interface Step { name?: string; run?: string }
const dir = '.github/workflows';
const gates = readdirSync(dir)
  .filter((f) => f.endsWith('.yml'))
  .flatMap((f) => {
    const wf = parse(readFileSync(join(dir, f), 'utf8')) as { jobs: Record<string, { steps?: Step[] }> };
    return Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).filter((s) => s.name === 'Canonical scope').map((s) => ({ file: f, run: s.run! })));
  });

function passes(script: string, scope: string): boolean {
  const tmp = mkdtempSync(join(tmpdir(), 'scope-gate-'));
  try {
    writeFileSync(join(tmp, 'out'), '');
    execFileSync('bash', ['-e', '-c', script], { env: { PATH: process.env.PATH, SCOPE: scope, GITHUB_OUTPUT: join(tmp, 'out') }, stdio: 'pipe' });
    if (script.includes('GITHUB_OUTPUT')) expect(readFileSync(join(tmp, 'out'), 'utf8')).toBe(`scope=${scope}\n`);
    return true;
  } catch (e) {
    if ((e as { status?: number }).status === undefined) throw e;
    return false;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

describe("the workflows' scope gate", () => {
  it('is in every reusable workflow that takes a scope', () => {
    expect(gates.map((g) => g.file).sort()).toEqual(['breaker-admin.yml', 'health-monitor.yml', 'recovery.yml']);
  });
  it.each(['api-prod', 'api_prod', 'API-prod', 'x_corrupt', 'x-corrupt', 'default', 'Default', 'a1-b2'])('lets %s through exactly when it is canonical', (scope) => {
    for (const g of gates) expect(passes(g.run, scope), `${g.file}: ${scope}`).toBe(canonicalScope(scope) === scope);
  });
});
