import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, closeAfterEach, repositoryFiles, requestsSince, run, startService, type World } from './scenario';

/**
 * Comments only on change, through the real workflows: an open incident whose every monitor run sees the
 * same thing (the breaker open, the service down) gets no new comment per run.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();
let n = 0;

async function world(): Promise<World> {
  const svc = closing(await startService(BAD));
  const repo = emu().createRepo(`octo/quiet-${++n}`);
  return { emu: emu(), repo, svc, files: repositoryFiles(svc, { steps: false, redeploy: false }) };
}

describe('an open, blocked incident', () => {
  it('12 monitor runs add at most 1 comment; a change (the breaker closed) is commented again', async () => {
    const w = await world();
    const opened = await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'open', reason: 'investigating' } });
    expect(opened.job('breaker/admin').outputs.state).toBe('open');

    const actions: string[] = [];
    const from = w.emu.log.length;
    for (let i = 0; i < 12; i++) {
      const r = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
      expect(r.warnings).toEqual([]);
      expect(r.job('monitor/recover/evaluate').outputs.decision).toBe('blocked');
      actions.push(r.job('monitor/recover/evaluate').outputs.action!);
    }
    expect(w.repo.issues).toHaveLength(1);
    const issue = w.repo.issues[0]!;
    // The first run opened the issue; the eleven after it saw nothing new.
    expect(actions).toEqual(['created', ...Array(11).fill('unchanged')]);
    expect(issue.comments.length).toBeLessThanOrEqual(1);
    // Repeated observations write no comment at all (the "last seen" line is edited at most every 30 minutes).
    const comments = requestsSince(w, from).filter((r) => r.write && r.route.endsWith('/comments'));
    expect(comments.length).toBeLessThanOrEqual(1);
    expect(issue.body).toMatch(/_Last seen: \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Observations that change nothing edit this line/);

    // Something changes: the breaker is closed, the next run escalates, and that is commented.
    await run(w, 'examples/breaker.yml', { eventName: 'workflow_dispatch', inputs: { command: 'close', reason: 'fixed the cause' } });
    const after = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    expect(after.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'escalate', action: 'commented' });
    expect(issue.comments.length).toBeLessThanOrEqual(2);
  }, 300_000); // fourteen workflow runs of bundles: a margin for a loaded machine, not for correctness
});
