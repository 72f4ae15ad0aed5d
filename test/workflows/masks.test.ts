import { describe, expect, it } from 'vitest';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import { TIME_SCALE } from '@recovery/testkit/speeds';
import { BAD, closeAfterEach, repositoryFiles, run, startService, type World } from './scenario';

/**
 * Masks that keep outputs, through the real workflows. GitHub's runner skips a job output whose value
 * holds a mask (the workflow runner does the same), so a check header such as `X-Synthetic-Check: true`
 * must not register `true` as a mask: should-recover=true would never reach the recovery job.
 */

const emu = useEmulator({ timeScale: TIME_SCALE });
const closing = closeAfterEach();

describe('ordinary header values are not masked', () => {
  it('a down service probed with X-Synthetic-Check: true and X-Env: production still starts its recovery', async () => {
    const svc = closing(await startService(BAD));
    const repo = emu().createRepo('octo/masks');
    const files = repositoryFiles(svc, { steps: false, redeploy: false });
    const check = `        url: ${svc.url}/health\n`;
    expect(files['.github/recovery.yml']).toContain(check);
    files['.github/recovery.yml'] = files['.github/recovery.yml']!.replace(check, `${check}        headers:\n          X-Synthetic-Check: 'true'\n          X-Env: production\n`);
    const w: World = { emu: emu(), repo, svc, files };

    const r = await run(w, 'examples/monitor.yml', { eventName: 'schedule' });
    // No output was skipped for holding a mask ("Skip output … since it may contain secret"): had `true` been
    // registered as one, should-recover=true would have been dropped and the recovery job skipped.
    expect(r.warnings).toEqual([]);
    expect(r.job('monitor/check').outputs).toMatchObject({ status: 'unhealthy', 'should-recover': 'true' });
    // The recovery job started and acted (no automated rung in this policy: it escalates to an issue).
    expect(r.job('monitor/recover').result).not.toBe('skipped');
    expect(r.job('monitor/recover/evaluate').outputs).toMatchObject({ decision: 'escalate', action: 'created' });
    expect(repo.issues).toHaveLength(1);
  });
});
