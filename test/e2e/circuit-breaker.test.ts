import { describe, expect, it } from 'vitest';
import { runStep } from '@recovery/testkit/harness';
import { run } from '../../actions/circuit-breaker/src/main';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { FAST_ENV } from '@recovery/testkit/speeds';
import type { RepoHandle } from '@recovery/testkit/emulator';

const emu = useEmulator();
let n = 0;
/** A fresh repository per test, so state never leaks between tests. */
function repo(): RepoHandle {
  return emu().createRepo(`octo/breaker-${++n}`);
}
const ENV = FAST_ENV;

async function breaker(r: RepoHandle, inputs: Record<string, string | number | boolean>, extra: { token?: string; runId?: number; files?: Record<string, string> } = {}) {
  return runStep('circuit-breaker', run, {
    inputs,
    apiUrl: emu().url,
    token: extra.token ?? 'test-token',
    repository: r.fullName,
    runId: extra.runId,
    files: extra.files,
    env: ENV,
  });
}

function stateOf(r: RepoHandle, name = 'RECOVERY_STATE') {
  return JSON.parse(r.variable(name)!) as { breaker: Record<string, { status: string; failures: number; openedAt?: string; trialAt?: string }>; events: Array<{ type: string; reason?: string; track?: string }> };
}

describe('circuit-breaker action', () => {
  it('opens the recovery track after 3 failures; close resets the counts; keep-failures keeps them', async () => {
    const r = repo();
    for (let i = 1; i <= 3; i++) {
      const res = await breaker(r, { command: 'record-failure', reason: `attempt ${i} failed` });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.outputs['recovery-failures']).toBe(String(i));
      expect(res.outputs.state).toBe(i < 3 ? 'closed' : 'open');
      expect(res.outputs.allowed).toBe(i < 3 ? 'true' : 'false');
    }
    const open = await breaker(r, { command: 'status' });
    expect(open.outputs).toMatchObject({ state: 'open', allowed: 'false', 'alert-level': 'critical' });
    expect(open.outputs.reason).toContain('3 consecutive recovery failures');
    expect(open.summary).toContain('What to do next');
    expect(open.summary).toContain(`npx --yes github:OWNER/recovery#v1 breaker close --repo ${r.fullName}`);

    const kept = await breaker(r, { command: 'close', 'keep-failures': true });
    expect(kept.outputs).toMatchObject({ state: 'closed', allowed: 'true', 'recovery-failures': '3' });
    await breaker(r, { command: 'open', reason: 'investigating' });
    const closed = await breaker(r, { command: 'close' });
    expect(closed.outputs).toMatchObject({ state: 'closed', 'recovery-failures': '0' });
    expect(stateOf(r).events.map((e) => e.type)).toEqual(['failure', 'failure', 'failure', 'open', 'close', 'open', 'close']);
  });

  it('keeps the deployment track independent with threshold 5, and lets a manual deployment pass with override', async () => {
    const r = repo();
    for (let i = 1; i <= 5; i++) await breaker(r, { command: 'record-failure', track: 'deployment' });
    const s = await breaker(r, { command: 'check', track: 'deployment' });
    expect(s.outputs).toMatchObject({ state: 'open', allowed: 'false', 'deployment-failures': '5', 'recovery-state': 'closed', 'recovery-failures': '0', 'deployment-threshold': '5' });
    const o = await breaker(r, { command: 'check', track: 'deployment', override: true, reason: 'hotfix by alice' });
    expect(o.outputs).toMatchObject({ state: 'open', allowed: 'true' });
    expect(o.summary).toContain('override');
    expect(stateOf(r).events.at(-1)).toMatchObject({ type: 'override', track: 'deployment', reason: 'hotfix by alice' });
  });

  it('allows one trial after the half-open cooldown; its success closes, its failure re-opens', async () => {
    const r = repo();
    const files = { '.github/recovery.yml': 'breaker:\n  half-open-after: 30m\n' };
    for (let i = 0; i < 3; i++) await breaker(r, { command: 'record-failure' }, { files });
    // Move the clock through the document: the track opened 31 minutes ago.
    const age = (minutes: number) => {
      const doc = JSON.parse(r.variable('RECOVERY_STATE')!);
      doc.breaker.recovery.openedAt = new Date(Date.now() - minutes * 60_000).toISOString();
      delete doc.breaker.recovery.trialAt;
      r.setVariable('RECOVERY_STATE', JSON.stringify(doc));
    };
    expect((await breaker(r, { command: 'check' }, { files })).outputs).toMatchObject({ state: 'open', allowed: 'false' });
    age(31);
    const trial = await breaker(r, { command: 'check' }, { files });
    expect(trial.outputs).toMatchObject({ state: 'half-open', allowed: 'true' });
    const failed = await breaker(r, { command: 'record-failure', reason: 'trial failed' }, { files });
    expect(failed.outputs).toMatchObject({ state: 'open', allowed: 'false' });
    age(31);
    expect((await breaker(r, { command: 'check' }, { files })).outputs.state).toBe('half-open');
    const ok = await breaker(r, { command: 'record-success' }, { files });
    expect(ok.outputs).toMatchObject({ state: 'closed', allowed: 'true', 'recovery-failures': '0' });
  });

  it('with success-threshold 2, the first successful trial keeps the track half-open and the second closes it', async () => {
    const r = repo();
    const files = { '.github/recovery.yml': 'breaker:\n  half-open-after: 30m\n  success-threshold: 2\n' };
    for (let i = 0; i < 3; i++) await breaker(r, { command: 'record-failure' }, { files });
    const doc = JSON.parse(r.variable('RECOVERY_STATE')!);
    doc.breaker.recovery.openedAt = new Date(Date.now() - 31 * 60_000).toISOString();
    r.setVariable('RECOVERY_STATE', JSON.stringify(doc));
    expect((await breaker(r, { command: 'check' }, { files })).outputs).toMatchObject({ state: 'half-open', allowed: 'true' });
    const first = await breaker(r, { command: 'record-success' }, { files });
    expect(first.outputs).toMatchObject({ state: 'half-open', allowed: 'true' });
    expect(first.summary).toContain('1 of 2 trials in a row have succeeded');
    // The next trial needs no new cooldown; its success closes the track.
    expect((await breaker(r, { command: 'check' }, { files })).outputs).toMatchObject({ state: 'half-open', allowed: 'true' });
    expect((await breaker(r, { command: 'record-success' }, { files })).outputs).toMatchObject({ state: 'closed', allowed: 'true', 'recovery-failures': '0' });
    expect(stateOf(r).events.filter((e: { type: string }) => e.type === 'trial-success' || e.type === 'close').map((e: { reason?: string }) => e.reason)).toEqual([
      'half-open trial 1 of 2 succeeded',
      '2 half-open trials in a row succeeded',
    ]);
  });

  it('answers status on a healthy state with exactly 1 request and 0 writes', async () => {
    const r = repo();
    await breaker(r, { command: 'record-success' });
    emu().clearLog();
    const res = await breaker(r, { command: 'status' });
    expect(res.code).toBe(0);
    const reqs = emu().requests().filter((e) => e.path.includes(r.fullName));
    expect(reqs.map((e) => `${e.method} ${e.route}`)).toEqual(['GET /repos/{owner}/{repo}/actions/variables']);
  });

  it('reports corrupt state as unknown without touching it; force close keeps a __CORRUPT copy', async () => {
    const r = repo();
    r.setVariable('RECOVERY_STATE', '{"version":1,"breaker":');
    emu().clearLog();
    const res = await breaker(r, { command: 'record-failure' });
    expect(res.code).toBe(1);
    expect(res.outputs).toMatchObject({ state: 'unknown', allowed: 'false' });
    expect(res.annotations.find((a) => a.level === 'error')?.message).toMatch(/RECOVERY_STATE is not valid JSON.*force: true/s);
    expect(r.variable('RECOVERY_STATE')).toBe('{"version":1,"breaker":');
    expect(emu().writes().filter((e) => e.path.includes(r.fullName))).toEqual([]);

    const forced = await breaker(r, { command: 'close', force: true });
    expect(forced.code, forced.stdout).toBe(0);
    expect(r.variable('RECOVERY_STATE__CORRUPT')).toBe('{"version":1,"breaker":');
    expect(stateOf(r).breaker.recovery).toMatchObject({ status: 'closed', failures: 0 });
    expect(forced.outputs.state).toBe('closed');
  });

  it('reports a state document from a newer version as unknown and says to upgrade', async () => {
    const r = repo();
    r.setVariable('RECOVERY_STATE', JSON.stringify({ version: 9, revision: 1 }));
    const res = await breaker(r, { command: 'check' });
    expect(res.code).toBe(1);
    expect(res.outputs.allowed).toBe('false');
    expect(res.annotations.find((a) => a.level === 'error')?.message).toContain('newer version of recovery');
  });

  it('explains a 403 on variable writes: which permission, and that GITHUB_TOKEN cannot', async () => {
    const r = repo();
    emu().addToken('read-only', { variables: 'read' });
    const res = await breaker(r, { command: 'record-failure' }, { token: 'read-only' });
    expect(res.code).toBe(1);
    const msg = res.annotations.find((a) => a.level === 'error')!.message;
    expect(msg).toContain('the token cannot write repository variables; it needs the repository permission "Variables: read and write"');
    expect(msg).toContain('the built-in GITHUB_TOKEN cannot; pass one as the `token` input');
  });

  it.each([
    [{ command: 'explode' }, '`command`: expected one of status, check'],
    [{ command: 'set-threshold', threshold: -1 }, '`threshold`: expected a whole number from 1 to 100, got "-1"'],
    [{ track: 'both' }, '`track`: expected one of recovery, deployment, got "both"'],
    [{ scope: 'api prod!' }, '`scope`: expected a scope of letters, digits, - and _'],
    [{ command: 'set-threshold' }, '`threshold`: expected a whole number from 1 to 100 (required by command set-threshold)'],
  ])('rejects bad input %j naming the input, with zero mutating requests', async (inputs, message) => {
    const r = repo();
    emu().clearLog();
    const res = await breaker(r, inputs as Record<string, string>);
    expect(res.code).toBe(1);
    expect(res.annotations.find((a) => a.level === 'error')?.message).toContain(message);
    expect(emu().writes()).toEqual([]);
    expect(emu().requests()).toEqual([]);
  });

  it('set-threshold writes the override variable operators can also edit, which wins over the policy', async () => {
    const r = repo();
    const res = await breaker(r, { command: 'set-threshold', threshold: 2 }, { files: { '.github/recovery.yml': 'breaker: { recovery-threshold: 7 }\n' } });
    expect(res.outputs['recovery-threshold']).toBe('2');
    expect(r.variable('CIRCUIT_BREAKER_THRESHOLD')).toBe('2');
    r.setVariable('DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD', '1');
    const s = await breaker(r, { command: 'record-failure', track: 'deployment' });
    expect(s.outputs).toMatchObject({ 'deployment-threshold': '1', state: 'open' });
  });

});
