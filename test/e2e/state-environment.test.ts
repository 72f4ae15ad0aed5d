import { describe, expect, it } from 'vitest';
import { runStep } from '@recovery/testkit/harness';
import { run } from '../../actions/circuit-breaker/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { FAST_ENV } from '@recovery/testkit/speeds';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { StateStore, type GitHub } from '@recovery/adapters';
import { createClient } from '@recovery/adapters/octokit';
import type { StateChange } from '@recovery/core';

/**
 * The state kept in an environment's variables (`state: { environment: recovery-state }` in the policy):
 * environment variables do not count toward the 256 KB a workflow run sees, so large fleets keep their
 * state there. The circuit-breaker action runs whole record cycles against the emulator, which serves
 * environment variables as GitHub does (100 per environment, 48 KB each, the Environments permission).
 */
const emu = useEmulator();
let n = 0;
const POLICY = { '.github/recovery.yml': 'state:\n  environment: recovery-state\n' };

function repo(o: { environment?: boolean } = {}): RepoHandle {
  const r = emu().createRepo(`octo/env-state-${++n}`);
  if (o.environment !== false) r.addEnvironment('recovery-state');
  return r;
}

function breaker(r: RepoHandle, inputs: Record<string, string | number | boolean>, o: { token?: string; files?: Record<string, string> } = {}) {
  return runStep('circuit-breaker', run, { inputs, apiUrl: emu().url, token: o.token ?? 'test-token', repository: r.fullName, files: o.files ?? POLICY, env: FAST_ENV });
}

const envVariables = (r: RepoHandle) => r.environment('recovery-state')!.variables;
const stateOf = (r: RepoHandle, name = 'RECOVERY_STATE') => JSON.parse(envVariables(r).value(name)!) as { breaker: Record<string, { status: string; failures: number }>; events: Array<{ type: string }> };

describe('the state in an environment', () => {
  it('a whole record cycle (three failures open the track, status, a close) keeps everything in the environment, nothing in repository variables; the summary says where the state lives and its budget', async () => {
    const r = repo();
    r.setVariable('CIRCUIT_BREAKER_THRESHOLD_API', '2'); // threshold overrides stay repository variables
    for (let i = 1; i <= 2; i++) {
      const res = await breaker(r, { command: 'record-failure', scope: 'api', reason: `attempt ${i}` });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.outputs).toMatchObject({ 'recovery-failures': String(i), state: i < 2 ? 'closed' : 'open' });
    }
    const status = await breaker(r, { command: 'status', scope: 'api' });
    expect(status.outputs).toMatchObject({ state: 'open', allowed: 'false' });
    expect(status.summary).toMatch(/Variable budget \(state in environment recovery-state\): \d+ of 100 variables \(\d+%\), \d+\.\d KB\./);
    const closed = await breaker(r, { command: 'close', scope: 'api' });
    expect(closed.outputs).toMatchObject({ state: 'closed', 'recovery-failures': '0' });
    expect(stateOf(r, 'RECOVERY_STATE_API').events.map((e) => e.type)).toEqual(['failure', 'failure', 'open', 'close']);

    // Repository variables: only the adopter's override; the document and its claims live in the environment.
    expect([...r.variables.list()].map((v) => v.name)).toEqual(['CIRCUIT_BREAKER_THRESHOLD_API']);
    const names = [...envVariables(r).list()].map((v) => v.name);
    expect(names).toContain('RECOVERY_STATE_API');
    expect(names.filter((x) => x.startsWith('RECOVERY_CLAIM_API_')).length).toBeGreaterThanOrEqual(1);
    expect(r.varsForRun().vars).not.toHaveProperty('RECOVERY_STATE_API');
    const envWrites = emu().writes().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
    expect(envWrites.length).toBeGreaterThan(0);
    expect(envWrites.every((e) => e.route.startsWith('/repos/{owner}/{repo}/environments/{environment_name}/variables'))).toBe(true);
  });

  it('an environment that does not exist: the first write fails naming it and how to create it, with no write', async () => {
    const r = repo({ environment: false });
    const res = await breaker(r, { command: 'record-failure' });
    expect(res.code).toBe(1);
    expect(res.stderr + res.stdout).toContain(`The environment recovery-state does not exist in ${r.fullName}`);
    expect(res.stderr + res.stdout).toContain('Settings → Environments');
    expect(emu().writes().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`))).toEqual([]);
  });

  it('a token without the Environments permission: the error names "Environments: read and write", with no write', async () => {
    const r = repo();
    emu().addToken('no-env-token', { environments: 'none' });
    const res = await breaker(r, { command: 'record-failure' }, { token: 'no-env-token' });
    expect(res.code).toBe(1);
    expect(res.stderr + res.stdout).toContain('the token lacks the repository permission "Environments: read');
    emu().addToken('env-read-token', { environments: 'read' });
    const ro = await breaker(r, { command: 'record-failure' }, { token: 'env-read-token' });
    expect(ro.code).toBe(1);
    expect(ro.stderr + ro.stdout).toContain('"Environments: read and write"');
    expect(emu().writes({ status: 201 }).filter((e) => e.path.startsWith(`/repos/${r.fullName}/`))).toEqual([]);
    expect(envVariables(r).size).toBe(0);
  });

  it('a policy naming an environment GitHub cannot have: an error naming state.environment and what it accepts, nothing sent', async () => {
    const r = repo();
    const res = await breaker(r, { command: 'record-failure' }, { files: { '.github/recovery.yml': 'state:\n  environment: "prod/state"\n' } });
    expect(res.code).toBe(1);
    expect(res.stderr + res.stdout).toMatch(/state\.environment: expected an environment name/);
    expect(emu().requests().filter((e) => e.path.startsWith(`/repos/${r.fullName}/`) && e.write)).toEqual([]);
  });
});

describe('the state store on an environment, in process', () => {
  let id = 0;
  const failure = (): StateChange => ({ id: `env.${++id}`, at: new Date(emu().clock.now()).toISOString(), by: `run ${id}/1`, ops: [{ op: 'record-failure', track: 'recovery', reason: 'probe failed', config: { thresholds: { recovery: 99, deployment: 99 } } }] });
  async function storeFor(r: RepoHandle) {
    const gh = (await createClient({ token: 'test-token', baseUrl: emu().url, writeSpacingMs: 10 })) as GitHub;
    const [owner, name] = r.fullName.split('/') as [string, string];
    return () => new StateStore({ gh, repo: { owner, repo: name }, scope: 'default', by: 'test', environment: 'recovery-state', log: () => {} });
  }
  const routesSince = (r: RepoHandle, from: number) =>
    emu()
      .requests()
      .slice(from)
      .filter((e) => e.path.startsWith(`/repos/${r.fullName}/`))
      .map((e) => `${e.method} ${e.route}`);
  const ENV = '/repos/{owner}/{repo}/environments/{environment_name}/variables';

  it('a change costs read, claim, write once the document keeps its budget snapshot; ten writers at once lose nothing', async () => {
    const r = repo();
    const store = await storeFor(r);
    await store().update(failure());
    let from = emu().requests().length;
    const s = store();
    await s.read();
    await s.update(failure());
    expect(routesSince(r, from)).toEqual([`GET ${ENV}/{name}`, `POST ${ENV}`, `PATCH ${ENV}/{name}`]);
    expect(s.budget()).toMatchObject({ environment: 'recovery-state', budget: 100 });

    from = emu().requests().length;
    await Promise.all(Array.from({ length: 10 }, () => store().update(failure())));
    expect(routesSince(r, from).every((x) => x.includes(ENV))).toBe(true);
    expect(stateOf(r).breaker.recovery!.failures).toBe(12);
  });

  it('an environment at GitHub\'s 100 variables: the first write fails naming the limit, nothing else changes', async () => {
    const r = repo();
    for (let i = 0; i < 100; i++) envVariables(r).set(`V_${i}`, 'x');
    const store = await storeFor(r);
    await expect(store().update(failure())).rejects.toThrow(/GitHub's limit on variables is reached \(422 .*an environment can have at most 100 variables\.\): 500 per repository, 100 per environment/);
    expect(envVariables(r).size).toBe(100);
  });
});
