/**
 * The incident issue's cost in API requests over one incident's life: open (new issue), open again
 * (comment), resolve (end the incident in the state, comment, close), resolve with nothing open. Every
 * request counts against the token's hourly budget, shared with the health monitor. The state store runs
 * with its production settle time: with a much shorter one every snapshot is already older than a
 * quarter of it when the emulator answers, and each write would pay up to three staleness re-reads.
 */
import { emptyState } from '../packages/core/src';
import { startEmulator, type Emulator, type RepoHandle } from '@recovery/testkit/emulator';
import { runAction } from '@recovery/testkit/harness';
import type { BenchRow } from './types';

async function step(emu: Emulator, r: RepoHandle, inputs: Record<string, string>): Promise<{ requests: number; writes: number; ms: number; action: string }> {
  const from = emu.log.length;
  const res = await runAction('open-issue', { inputs, apiUrl: emu.url, token: 'test-token', repository: r.fullName });
  if (res.code !== 0) throw new Error(`open-issue failed in the benchmark: ${res.stdout}\n${res.stderr}`);
  const mine = emu.log.slice(from).filter((e) => e.path.startsWith(`/repos/${r.fullName}/`));
  return { requests: mine.length, writes: mine.filter((e) => e.write).length, ms: res.durationMs, action: res.outputs.action ?? '' };
}

export default async function bench(): Promise<BenchRow[]> {
  const emu = await startEmulator();
  try {
    const r = emu.createRepo('octo/bench-issues');
    const s = emptyState('api', new Date());
    s.incident = { id: 'bench-1', startedAt: new Date(Date.now() - 30 * 60_000).toISOString() };
    r.setVariable('RECOVERY_STATE_API', JSON.stringify(s));
    // Other scopes' incidents and a pull request share the label: the listing still finds ours in one request.
    for (let i = 0; i < 20; i++) r.addIssue({ title: `other ${i}`, body: `<!-- recovery:scope=svc-${i} -->`, labels: ['recovery'] });
    r.addPullRequest({ title: 'pr', body: '<!-- recovery:scope=api -->', labels: ['recovery'] });
    const base = { scope: 'api', status: 'unhealthy', decision: 'escalate', 'session-id': 'bench-1' };
    const evidence = 'ERROR upstream timed out\n'.repeat(4000);
    const open = await step(emu, r, { ...base, mode: 'open', evidence });
    const again = await step(emu, r, { ...base, mode: 'open', evidence });
    const resolve = await step(emu, r, { ...base, mode: 'resolve', status: 'healthy', decision: 'redeploy' });
    const ended = await step(emu, r, { ...base, mode: 'resolve', status: 'healthy' });
    const { 'session-id': _session, ...noSession } = base;
    const none = await step(emu, r, { ...noSession, mode: 'resolve', status: 'healthy' });
    // The incident already ended in the state (redeploy ends it when its success left the service healthy).
    const s2 = emptyState('web', new Date());
    s2.incidents.push({ id: 'bench-2', startedAt: new Date(Date.now() - 20 * 60_000).toISOString(), endedAt: new Date().toISOString(), outcome: 'recovered', automated: true });
    r.setVariable('RECOVERY_STATE_WEB', JSON.stringify(s2));
    const webBase = { scope: 'web', status: 'unhealthy', decision: 'redeploy', 'session-id': 'bench-2' };
    await step(emu, r, { ...webBase, mode: 'open' });
    const afterRedeploy = await step(emu, r, { ...webBase, mode: 'resolve', status: 'healthy' });
    const row = (name: string, x: { requests: number; writes: number }, goal: number | undefined, note: string): BenchRow => ({
      name: `open-issue: ${name}`,
      value: x.requests,
      unit: 'requests',
      ...(goal === undefined ? {} : { goal: `≤ ${goal}`, ok: x.requests <= goal }),
      note: `${x.writes} write${x.writes === 1 ? '' : 's'}; ${note}`,
    });
    return [
      row('open a new incident (100 KB evidence)', open, 5, `${open.action}: list issues, read state, list labels, create label (first time only), create issue`),
      row('open while the incident is open', again, 3, `${again.action}: list issues, read state, comment`),
      row(
        'resolve, the incident still open in the state',
        resolve,
        7,
        `${resolve.action}: list issues, read state, end the incident in the state right after that read (a fresh snapshot: no re-read before the write), settle re-read to catch a concurrent writer, comment, close`,
      ),
      row('resolve, the incident already ended in the state by redeploy', afterRedeploy, undefined, `${afterRedeploy.action}: list issues, read state (the incident start, for the outage), comment, close`),
      row('resolve with no issue and no session', none, 1, `${none.action}: the listing only`),
      row('resolve with no issue, a session given, its incident already ended', ended, undefined, `${ended.action}: list issues, read state (a re-run that fixed things leaves no issue, but its incident must end in the state)`),
      { name: 'open-issue: wall time of a resolve run that ends the incident (emulator, production settle 1.5 s)', value: resolve.ms, unit: 'ms', note: 'includes node start-up, the settle wait and the throttling plugin’s spacing of writes' },
    ];
  } finally {
    await emu.close();
  }
}
