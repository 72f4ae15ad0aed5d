/**
 * The incident issue's cost in API requests over one incident's life: open (new issue), open again
 * (comment), resolve (comment, close, end the incident in the state), resolve with nothing open. Every
 * request counts against the token's hourly budget, shared with the health monitor.
 */
import { emptyState } from '../packages/core/src';
import { startEmulator, type Emulator, type RepoHandle } from '../test/emulator';
import { runAction } from '../test/harness';
import type { BenchRow } from './types';

async function step(emu: Emulator, r: RepoHandle, inputs: Record<string, string>): Promise<{ requests: number; writes: number; ms: number; action: string }> {
  const from = emu.log.length;
  const res = await runAction('open-issue', { inputs, apiUrl: emu.url, token: 'test-token', repository: r.fullName, env: { RECOVERY_SETTLE_MS: '50' } });
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
    const none = await step(emu, r, { ...base, mode: 'resolve', status: 'healthy' });
    const row = (name: string, x: { requests: number; writes: number }, goal: number, note: string): BenchRow => ({
      name: `open-issue: ${name}`,
      value: x.requests,
      unit: 'requests',
      goal: `≤ ${goal}`,
      ok: x.requests <= goal,
      note: `${x.writes} write${x.writes === 1 ? '' : 's'}; ${note}`,
    });
    return [
      row('open a new incident (100 KB evidence)', open, 5, `${open.action}: list issues, read state, list labels, create label (first time only), create issue`),
      row('open while the incident is open', again, 3, `${again.action}: list issues, read state, comment`),
      row(
        'resolve',
        resolve,
        7,
        `${resolve.action}: list issues, read state, comment, close, end the incident in the state (the store re-reads a snapshot older than a quarter of the settle time before writing, then writes and re-reads to catch a concurrent writer)`,
      ),
      row('resolve with no open incident', none, 1, `${none.action}`),
      { name: 'open-issue: wall time of a resolve run (emulator, settle 50 ms)', value: resolve.ms, unit: 'ms', note: 'includes node start-up and the throttling plugin’s spacing of writes' },
    ];
  } finally {
    await emu.close();
  }
}
