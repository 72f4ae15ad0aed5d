/**
 * `npm run demo` as a smoke test: the whole story through the real workflows (examples/ → the reusable
 * workflows → the committed bundles) against the emulator and the sample service, and the report.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { playDemo } from '../../demo/scenario';
import { writeReport } from '../../demo/report';
import { tempDir } from '@recovery/testkit/harness';

describe('npm run demo', () => {
  it('tells the story as told: a bad release recovered by rollback, then a breaker that stops failing automation until the operator closes it', { timeout: 240_000 }, async () => {
    const r = await playDemo();
    expect(r.problems, r.timeline.text()).toEqual([]);
    expect(r.ok).toBe(true);
    // Through the real workflow files: the callers of examples/ and the reusable workflows they call.
    const files = new Set(r.runs.flatMap((x) => Object.values(x.run.jobs).map((j) => j.file)));
    expect([...files].sort()).toEqual(
      expect.arrayContaining(['.github/workflows/health-monitor.yml', '.github/workflows/recovery.yml', 'examples/monitor.yml', 'examples/on-deploy-failure.yml', 'examples/recover.yml']),
    );

    // Act 1: a steady healthy monitor run reads the state once and writes nothing.
    expect(r.facts.steadyRequests.slice(1)).toEqual([1, 1]);

    // Act 2: detected, classified from the failed deploy's logs, then re-run, restart, rollback and resolved in one
    // recovery.yml run of two jobs.
    const a2 = r.facts.act2;
    expect(a2.detected).toBe('unhealthy');
    expect(a2.classification).toMatch(/^network\/.*connection-failure/);
    expect(a2.decisions).toEqual(['rerun', 'recover', 'redeploy']);
    expect(a2.results).toEqual(['failure', 'failure', 'success']);
    expect(a2.restarts).toBe(1);
    expect(a2.jobs).toBe(2);
    expect(a2.redeployedTo).toMatch(/^v1\.4\.1 /);
    expect(a2.versionAfter).toBe('v1.4.1');
    expect(a2.issue).toMatchObject({ state: 'closed', outage: expect.stringMatching(/\d/) });

    // Act 3: three failing recoveries open the breaker; the next run is blocked; the CLI closes it.
    const a3 = r.facts.act3;
    expect(a3.failures).toEqual([1, 2, 3]);
    expect(a3.breakerAfter).toEqual(['closed', 'closed', 'open']);
    expect(a3.blockedDecision).toBe('blocked');
    expect(a3.issueSaysWhatToDo).toBe(true);
    expect(a3.cliClose).toBe(0);
    expect(a3.breakerAfterClose).toBe('closed');
    expect(a3.epilogue).toEqual({ decision: 'rerun', result: 'success', versionAfter: 'v1.6.3', issueState: 'closed' });

    // The report holds every job summary of every run, in Markdown and in HTML.
    const dir = tempDir('demo-report-');
    const report = writeReport(r, dir);
    const md = readFileSync(report.markdown, 'utf8');
    const html = readFileSync(report.html, 'utf8');
    const summaries = r.runs.flatMap((x) => x.run.summaries);
    expect(summaries.length).toBeGreaterThan(r.runs.length);
    for (const s of summaries) expect(md).toContain(s.markdown.trimEnd());
    for (const x of r.runs) expect(html).toContain(`<a id="${x.ref}"></a>`);
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/&lt;(details|summary|sub)&gt;/);
    expect(path.basename(report.html)).toBe('index.html');
  });
});
