import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startHttpServer, tempDir, tempDirWith } from '../harness';
import { evaluate, evaluateCondition, declared } from './expressions';
import { ArtifactStore, ConcurrencyGroups, LOCAL_CHECKOUT, QUEUE_MAX, runWorkflow, STANDARD_STAND_INS, uploadArtifact, type RunWorkflowOptions, type StandIn } from './index';

/** The runner itself, on small workflows in a throw-away project (this checkout's actions and bundles linked in). */

function project(workflows: Record<string, string>): string {
  const root = tempDirWith(Object.fromEntries(Object.entries(workflows).map(([f, text]) => [`.github/workflows/${f}`, text])), 'wf-project-');
  for (const d of ['dist', 'health-check', 'circuit-breaker']) symlinkSync(path.join(REPO_ROOT, d), path.join(root, d));
  return root;
}

const OPTS = { emulatorUrl: 'http://127.0.0.1:9', repository: 'octo/app' } satisfies Partial<RunWorkflowOptions>;
const go = (root: string, file: string, o: Partial<RunWorkflowOptions> & { eventName: string }) => runWorkflow(`.github/workflows/${file}`, { ...OPTS, root, ...o });

describe('expressions (GitHub’s engine)', () => {
  it('evaluates functions, operators and contexts, and records reads of undeclared keys', () => {
    const misses = new Set<string>();
    const ctx = { needs: declared({ a: declared({ result: 'success', outputs: declared({ x: '1' }, 'needs.a.outputs') }, 'needs.a') }, 'needs'), inputs: declared({ flag: true }, 'inputs') };
    expect(evaluate("format('{0}-{1}', needs.a.outputs.x, inputs.flag)", ctx).coerceString()).toBe('1-true');
    expect(evaluateCondition("contains(fromJSON('[\"a\",\"b\"]'), 'b') && toJSON(inputs.flag) == 'true'", ctx)).toBe(true);
    expect(evaluateCondition("needs.a.outputs.y == ''", ctx, { misses })).toBe(true);
    expect(evaluateCondition('needs.b.result', ctx, { misses })).toBe(false);
    expect([...misses]).toEqual(['needs.a.outputs.y', 'needs.b']);
    // Every '' in a string literal is one quote (the engine's own lexer unescapes only the first).
    expect(evaluate("format('it''s {0}''s ''{1}''', 'Bob', 1)", {}).coerceString()).toBe("it's Bob's '1'");
    expect(evaluateCondition('success()', {}, { status: { success: () => false, failure: () => true, cancelled: () => false } })).toBe(false);
    expect(evaluateCondition('always() && failure()', {}, { status: { success: () => false, failure: () => true, cancelled: () => false } })).toBe(true);
  });
});

describe('jobs: needs, if and results', () => {
  const WF = `name: graph
on:
  workflow_dispatch:
    inputs:
      mode:
        type: choice
        options: [fast, slow]
        default: fast
      loud:
        type: boolean
        default: false
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      kind: \${{ steps.s.outputs.kind }}
    steps:
      - id: s
        run: echo "kind=$MODE-job" >> "$GITHUB_OUTPUT"
        env:
          MODE: \${{ inputs.mode }}
  b:
    needs: a
    if: needs.a.outputs.kind == 'slow-job'
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  c:
    needs: b
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  d:
    needs: [a, b]
    if: always() && needs.b.result == 'skipped' && contains(needs.a.outputs.kind, 'fast')
    runs-on: ubuntu-latest
    permissions:
      contents: read
    outputs:
      seen: \${{ format('{0}/{1}', needs.b.result, inputs.loud) }}
    steps:
      - run: echo ok
  e:
    needs: d
    runs-on: ubuntu-latest
    steps:
      - run: echo "never either, as b (an ancestor) was skipped"
`;

  it('runs in needs order; a false if skips a job and its dependents; always() lets a job run after a skip; success() looks at every ancestor', async () => {
    const root = project({ 'graph.yml': WF });
    const run = await go(root, 'graph.yml', { eventName: 'workflow_dispatch' });
    expect(run.warnings).toEqual([]);
    expect(run.job('a').outputs).toEqual({ kind: 'fast-job' });
    expect(run.job('b').result).toBe('skipped');
    expect(run.job('b').if).toBe("success() && (needs.a.outputs.kind == 'slow-job')");
    expect(run.job('c').result).toBe('skipped');
    expect(run.job('d').result).toBe('success');
    expect(run.job('d').outputs).toEqual({ seen: 'skipped/false' });
    expect(run.job('d').permissions).toEqual({ contents: 'read' });
    expect(run.job('a').permissions).toEqual({});
    // As on GitHub (actions/runner#491): a skipped ancestor skips a default-`if` job even though its direct need succeeded.
    expect(run.job('e').result).toBe('skipped');
    expect(run.result).toBe('success');
    expect(run.trace).toMatch(/○ b skipped .*\[if: success\(\) && \(needs.a.outputs.kind == 'slow-job'\)\]/);

    const slow = await go(root, 'graph.yml', { eventName: 'workflow_dispatch', inputs: { mode: 'slow', loud: true } });
    expect(slow.job('b').result).toBe('success');
    expect(slow.job('c').result).toBe('success');
    expect(slow.job('d').result).toBe('skipped');
    await expect(go(root, 'graph.yml', { eventName: 'workflow_dispatch', inputs: { mode: 'medium' } })).rejects.toThrow(/input 'mode' must be one of fast, slow/);
    await expect(go(root, 'graph.yml', { eventName: 'schedule' })).rejects.toThrow(/not triggered by schedule/);
  });

  it('hands each job environment to onEnvironment before the job runs (GitHub creates an unknown one, unprotected), skipped jobs not', async () => {
    const root = project({
      'envs.yml': `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    environment: \${{ github.event_name == 'push' && 'recovery-state' || 'other' }}
    steps:
      - run: echo
  b:
    if: false
    runs-on: ubuntu-latest
    environment: { name: never, deployment: false }
    steps:
      - run: echo
`,
    });
    const named: string[] = [];
    const run = await go(root, 'envs.yml', { eventName: 'push', onEnvironment: (n) => named.push(n) });
    expect(run.job('a').environment).toEqual({ name: 'recovery-state' });
    expect(named).toEqual(['recovery-state']);
  });

  it('reports a reference to an output no job declares (it would evaluate to an empty string)', async () => {
    const root = project({
      'typo.yml': `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      status: ok
    steps:
      - run: echo
  b:
    needs: a
    if: needs.a.outputs.stauts == 'ok'
    runs-on: ubuntu-latest
    steps:
      - run: echo
`,
    });
    const run = await go(root, 'typo.yml', { eventName: 'push' });
    expect(run.job('b').result).toBe('skipped');
    expect(run.warnings).toEqual(['.github/workflows/typo.yml: job b: reference to undeclared needs.a.outputs.stauts']);
  });

  it('a job output holding a mask (a secret, or a value a step masked) is skipped as GitHub skips it, with its warning; others pass', async () => {
    const root = project({
      'masked.yml': `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      flag: \${{ steps.s.outputs.flag }}
      env: \${{ steps.s.outputs.env }}
    steps:
      - id: s
        run: |
          echo "::add-mask::production"
          echo "flag=true" >> "$GITHUB_OUTPUT"
          echo "env=production" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    outputs:
      seen: \${{ needs.a.outputs.flag }}/\${{ needs.a.outputs.env }}
    steps:
      - run: echo
`,
    });
    const run = await go(root, 'masked.yml', { eventName: 'push' });
    expect(run.job('a').outputs).toEqual({ flag: 'true', env: '' });
    expect(run.job('b').outputs).toEqual({ seen: 'true/' });
    expect(run.warnings).toEqual([".github/workflows/masked.yml: jobs.a: Skip output 'env' since it may contain secret."]);
  });

  it('a matrix runs one leg per combination; dependents see the legs folded', async () => {
    const root = project({
      'matrix.yml': `on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [18, 20]
        os: [linux]
        include:
          - node: 22
            os: linux
            experimental: true
    outputs:
      last: \${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "v=\${{ matrix.node }}" >> "$GITHUB_OUTPUT"
      - if: matrix.experimental
        run: exit 1
        continue-on-error: true
  after:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ needs.test.result }}"
`,
    });
    const run = await go(root, 'matrix.yml', { eventName: 'push' });
    expect(Object.keys(run.jobs).sort()).toEqual(['after', 'test (18, linux)', 'test (20, linux)', 'test (22, linux, true)']);
    expect(run.job('test (22, linux, true)').steps[1]).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(run.job('test (18, linux)').steps[1]!.outcome).toBe('skipped');
    expect(run.job('test (20, linux)').matrix).toEqual({ node: 20, os: 'linux' });
    expect(run.job('after').result).toBe('success');
  });
});

describe('matrix from a job output, vars', () => {
  it('a matrix from fromJSON of a job output: one leg per include item, at most max-parallel at once, in order; an empty include fails the job (an if: guards it)', async () => {
    const log = path.join(tempDir('matrix-log-'), 'log');
    const root = project({
      'fan.yml': `on:
  workflow_dispatch:
    inputs:
      items:
        type: string
permissions: {}
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      m: \${{ steps.p.outputs.m }}
    steps:
      - id: p
        env:
          ITEMS: \${{ inputs.items }}
        run: echo "m=$ITEMS" >> "$GITHUB_OUTPUT"
  fan:
    needs: plan
    runs-on: ubuntu-latest
    strategy:
      max-parallel: 1
      matrix: \${{ fromJSON(needs.plan.outputs.m) }}
    steps:
      - env:
          S: \${{ matrix.s }}
        run: |
          echo "start $S" >> "${log}"
          echo "end $S" >> "${log}"
  guarded:
    needs: plan
    if: needs.plan.outputs.m != '{"include":[]}'
    runs-on: ubuntu-latest
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.m) }}
    steps:
      - run: echo "\${{ matrix.s }}"
`,
    });
    const run = await go(root, 'fan.yml', { eventName: 'workflow_dispatch', inputs: { items: '{"include":[{"s":"a"},{"s":"b"},{"s":"c"}]}' } });
    expect(Object.keys(run.jobs).filter((j) => j.startsWith('fan')).sort()).toEqual(['fan (a)', 'fan (b)', 'fan (c)']);
    expect(run.job('fan (b)').matrix).toEqual({ s: 'b' });
    // max-parallel 1: each leg ends before the next starts.
    expect((await import('node:fs')).readFileSync(log, 'utf8').trim().split('\n')).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    const empty = await go(root, 'fan.yml', { eventName: 'workflow_dispatch', inputs: { items: '{"include":[]}' } });
    expect(empty.job('fan')).toMatchObject({ result: 'failure' });
    expect(empty.job('fan').error).toMatch(/strategy.matrix expands to no job/);
    expect(empty.job('guarded').result).toBe('skipped');
    const many = await go(root, 'fan.yml', { eventName: 'workflow_dispatch', inputs: { items: JSON.stringify({ include: Array.from({ length: 257 }, (_, i) => ({ s: i })) }) } });
    expect(many.job('fan').error).toMatch(/expands to 257 jobs; a matrix generates at most 256 jobs per workflow run/);
  });

  it('vars is what GitHub gives a run: the repository variables read when the run starts, the ones sorting last dropped past 256 KB', async () => {
    const root = project({
      'vars.yml': `on: push
permissions: {}
jobs:
  show:
    runs-on: ubuntu-latest
    outputs:
      names: \${{ steps.s.outputs.names }}
    steps:
      - run: "cat > \\"$RUNNER_TEMP/vars.json\\" <<'END_OF_VARS'\\n\${{ toJSON(vars) }}\\nEND_OF_VARS\\n"
      - id: s
        run: echo "names=$(node -e 'process.stdout.write(Object.keys(JSON.parse(require("fs").readFileSync(0,"utf8"))).join(","))' < "$RUNNER_TEMP/vars.json")" >> "$GITHUB_OUTPUT"
`,
    });
    const big = 'x'.repeat(130 * 1024);
    const variables = [
      { name: 'C_BIG', value: big },
      { name: 'A_BIG', value: big },
      { name: 'D_SMALL', value: '1' },
      { name: 'B_SMALL', value: '1' },
    ];
    const run = await go(root, 'vars.yml', { eventName: 'push', variables: () => variables });
    // A_BIG, B_SMALL fit; C_BIG would pass 256 KB: it and everything after it (D_SMALL) vanish.
    expect(run.job('show').outputs.names).toBe('A_BIG,B_SMALL');
    const given = await go(root, 'vars.yml', { eventName: 'push', vars: { Z: big, Y: big, X: big } });
    expect(given.job('show').outputs.names).toBe('X');
    await expect(go(root, 'vars.yml', { eventName: 'push', vars: { A: '1' }, variables: () => [] })).rejects.toThrow(/give vars or variables, not both/);
  });
});

describe('concurrency', () => {
  it('jobs of one group run one at a time, jobs of others alongside; the evaluated group is recorded', async () => {
    // A rendezvous, not a stopwatch: a job of the deploy group finishes only once `c` (another group) has
    // started, and `c` only once one of them has. Run one after the other, they would wait until the step
    // timeout fails them; run alongside, they pass however slow the machine is.
    const dir = tempDir('wf-rendezvous-');
    const wait = (file: string) => `until [ -e "${dir}/${file}" ]; do sleep 0.05; done`;
    const job = (id: string, group: string, meet: string) => `  ${id}:
    runs-on: ubuntu-latest
    concurrency:
      group: ${group}
    outputs:
      span: \${{ steps.s.outputs.span }}
    steps:
      - id: s
        run: |
          start=$(date +%s%N); ${meet}; sleep 0.3; echo "span=$start-$(date +%s%N)" >> "$GITHUB_OUTPUT"
`;
    const deploy = `touch "${dir}/deploy-started"; ${wait('other-started')}`;
    const other = `${wait('deploy-started')}; touch "${dir}/other-started"`;
    const root = project({ 'groups.yml': `on: push\npermissions: {}\njobs:\n${job('a', 'deploy-\${{ github.ref_name }}', deploy)}${job('b', 'deploy-main', deploy)}${job('c', 'other', other)}` });
    const run = await go(root, 'groups.yml', { eventName: 'push' });
    const span = (id: string) => run.job(id).outputs.span!.split('-').map((t) => Number(BigInt(t) / 1_000_000n)) as [number, number];
    const [a, b, c] = [span('a'), span('b'), span('c')];
    expect(run.job('a').concurrency).toEqual({ group: 'deploy-main', cancelInProgress: false, queue: 'single' });
    expect(a[1] <= b[0] || b[1] <= a[0]).toBe(true);
    expect(c[0] < Math.max(a[1], b[1]) && c[1] > Math.min(a[0], b[0])).toBe(true);
  });
});

describe('concurrency queues (shared by the runs of a repository)', () => {
  const WF = (queue: string) => `on: push
permissions: {}
concurrency:
  group: deploy
${queue}jobs:
  work:
    runs-on: ubuntu-latest
    steps:
      - uses: test/gate@v1
      - run: echo "ran"
`;

  /** Run A holds the group (its first step waits on a gate) while B, then C, arrive; then A is let go. */
  async function schedule(file: string) {
    const root = project({ 'single.yml': WF(''), 'max.yml': WF('  queue: max\n') });
    const groups = new ConcurrencyGroups();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const held: StandIn = () => gate;
    const free: StandIn = () => undefined;
    const start = (label: string, standIn: StandIn) => go(root, file, { eventName: 'push', concurrency: groups, label, standIns: { 'test/gate': standIn } });
    const wf = `.github/workflows/${file}`;
    const a = start('A', held);
    await groups.until((e) => e.who === `A: ${wf}` && e.event === 'running');
    const b = start('B', free);
    await groups.until((e) => e.who === `B: ${wf}` && e.event === 'pending');
    const c = start('C', free);
    await groups.until((e) => e.who === `C: ${wf}` && e.event === 'pending');
    expect(groups.state('deploy').running).toBe(`A: ${wf}`);
    open();
    const runs = await Promise.all([a, b, c]);
    return { runs, events: groups.events.map((e) => `${e.who.split(':')[0]} ${e.event}`) };
  }

  it('GitHub’s default (queue: single): one pending; a newer arrival cancels it', async () => {
    const { runs, events } = await schedule('single.yml');
    expect(runs.map((r) => r.result)).toEqual(['success', 'cancelled', 'success']);
    expect(runs[1]!.trace).toMatch(/cancelled while pending in concurrency group 'deploy'/);
    expect(events).toEqual(['A running', 'B pending', 'B cancelled', 'C pending', 'A released', 'C running', 'C released']);
  });

  it('queue: max: every arrival waits its turn, in order; none is cancelled', async () => {
    const { runs, events } = await schedule('max.yml');
    expect(runs.map((r) => r.result)).toEqual(['success', 'success', 'success']);
    expect(runs.map((r) => r.concurrency)).toEqual(Array(3).fill({ group: 'deploy', cancelInProgress: false, queue: 'max' }));
    expect(events).toEqual(['A running', 'B pending', 'C pending', 'A released', 'B running', 'B released', 'C running', 'C released']);
  });

  it('queue: max holds at most 100 waiting; queue: max with cancel-in-progress is refused', async () => {
    const groups = new ConcurrencyGroups();
    const first = await groups.acquire('g', 'max', 'run 0');
    const waiting = Array.from({ length: QUEUE_MAX }, (_, i) => groups.acquire('g', 'max', `run ${i + 1}`));
    expect(await groups.acquire('g', 'max', 'run 101')).toBeUndefined();
    expect(groups.state('g').pending).toHaveLength(QUEUE_MAX);
    first!();
    for (const w of waiting) (await w)!();
    expect(groups.state('g')).toEqual({ running: undefined, pending: [] });
    expect(groups.events.filter((e) => e.event === 'running').map((e) => e.who)).toEqual(Array.from({ length: QUEUE_MAX + 1 }, (_, i) => `run ${i}`));

    const root = project({ 'both.yml': WF('  queue: max\n  cancel-in-progress: true\n') });
    await expect(go(root, 'both.yml', { eventName: 'push', standIns: { 'test/gate': () => undefined } })).rejects.toThrow('concurrency: queue: max cannot be combined with cancel-in-progress');
  });
});

describe('cancellation', () => {
  it('aborting kills the running step; always() and cancelled() steps and jobs still run, the rest is cancelled', async () => {
    const root = project({
      'slow.yml': `on: push
permissions: {}
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 30
      - if: always()
        run: echo always-ran
      - run: echo never
  later:
    needs: slow
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  report:
    needs: slow
    if: cancelled()
    runs-on: ubuntu-latest
    steps:
      - run: echo "slow was \${{ needs.slow.result }}"
`,
    });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 500);
    const started = Date.now();
    const run = await go(root, 'slow.yml', { eventName: 'push', signal: abort.signal });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.job('slow').result).toBe('cancelled');
    expect(run.job('slow').steps.map((st) => st.outcome)).toEqual(['cancelled', 'success', 'skipped']);
    expect(run.job('later').result).toBe('cancelled');
    expect(run.job('report').steps[0]!.stdout).toBe('slow was cancelled\n');
    expect(run.result).toBe('cancelled');
  });
});

describe('steps', () => {
  it('a failing step fails the job; later steps run only if their if allows; file commands, env levels, shells and working-directory work as on a runner', async () => {
    const root = project({
      'steps.yml': `on: push
permissions: {}
env:
  LEVEL: workflow
  KEEP: workflow
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
    defaults:
      run:
        working-directory: sub
    steps:
      - run: mkdir -p sub/deeper
        working-directory: .
      - id: first
        run: |
          { echo "level=$LEVEL"; echo "keep=$KEEP"; } >> "$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=yes" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "### built" >> "$GITHUB_STEP_SUMMARY"
          echo "::warning title=careful::something"
        env:
          LEVEL: step
      - id: second
        shell: sh
        working-directory: sub/deeper
        run: |
          printf 'where=%s\\nenv=%s\\ntool=%s\\nctx=%s\\n' "$(basename "$PWD")" "$FROM_ENV_FILE" "$(mytool)" "\${{ env.FROM_ENV_FILE }}" >> "$GITHUB_OUTPUT"
      - id: pipe
        run: false | true
        continue-on-error: true
      - id: boom
        run: echo "about to fail"; exit 3
      - id: skipped
        run: echo never
      - id: cleanup
        if: failure() && steps.boom.outcome == 'failure'
        run: echo "cleaning up after \${{ steps.boom.conclusion }}"
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo never
`,
    });
    const run = await go(root, 'steps.yml', { eventName: 'push' });
    expect(run.warnings).toEqual([]);
    const job = run.job('build');
    expect(job.result).toBe('failure');
    expect(run.step('build', 'first').outputs).toEqual({ level: 'step', keep: 'workflow' });
    expect(run.step('build', 'first').annotations).toEqual([{ level: 'warning', message: 'something', properties: { title: 'careful' } }]);
    expect(run.step('build', 'second').outputs).toEqual({ where: 'deeper', env: 'yes', tool: 'tool-ran', ctx: 'yes' });
    // pipefail: `false | true` fails under bash -eo pipefail.
    expect(run.step('build', 'pipe')).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(run.step('build', 'boom').outcome).toBe('failure');
    expect(run.step('build', 'skipped').outcome).toBe('skipped');
    expect(run.step('build', 'cleanup')).toMatchObject({ outcome: 'success', run: 'echo "cleaning up after failure"' });
    expect(run.job('after').result).toBe('skipped');
    expect(run.result).toBe('failure');
    expect(run.summaries).toEqual([{ job: 'build', step: 'Run { echo "level=$LEVEL"; echo "keep=$KEEP"; } >> "$GITHUB_OUTPUT"', markdown: '### built\n' }]);
    expect(run.trace).toMatch(/✗ build failure/);
  });

  it('runs a local action bundle with with:, reports inputs it does not declare and outputs read that it does not declare; masks secrets', async () => {
    const svc = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });
    try {
      const root = project({
        'probe.yml': `on: push
permissions: {}
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - id: h
        uses: ./health-check
        with:
          targets: \${{ vars.TARGET }}
          record: false
          tragets: typo
      - run: echo "status=\${{ steps.h.outputs.status }} stauts=\${{ steps.h.outputs.stauts }} token=\${{ secrets.API_TOKEN }}"
`,
      });
      const run = await go(root, 'probe.yml', { eventName: 'push', vars: { TARGET: `${svc.url}/health` }, secrets: { API_TOKEN: 's3cr3t-value' } });
      expect(run.step('probe', 'h')).toMatchObject({ kind: 'action', outcome: 'success', with: { targets: `${svc.url}/health`, record: 'false', tragets: 'typo' } });
      expect(run.step('probe', 'h').outputs).toMatchObject({ status: 'healthy', 'healthy-count': '1' });
      expect(run.step('probe', 'h').summary).toContain('Health: healthy');
      expect(run.job('probe').steps[1]!.stdout).toBe('status=healthy stauts= token=***\n');
      expect(run.warnings).toEqual([
        expect.stringMatching(/^probe: step '.\/health-check': Unexpected input\(s\) 'tragets', valid inputs are \['targets', /),
        '.github/workflows/probe.yml: job probe: reference to undeclared steps.h.outputs.stauts',
      ]);
      expect(svc.requests.map((r) => r.url)).toEqual(['/health']);
    } finally {
      await svc.close();
    }
  });

  it('an action it cannot run needs a declared stand-in: without one the run fails before any job starts', async () => {
    const root = project({
      'foreign.yml': `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: touch started
  b:
    needs: a
    if: false
    runs-on: ubuntu-latest
    steps:
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
        with:
          name: report
          path: report.json
`,
    });
    await expect(go(root, 'foreign.yml', { eventName: 'push' })).rejects.toThrow(
      "job b, step 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02': uses actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02: no stand-in declared (standIns['actions/upload-artifact'])",
    );
    const uploads: Array<Record<string, string>> = [];
    const run = await go(root, 'foreign.yml', { eventName: 'push', standIns: { 'actions/upload-artifact': (s) => void uploads.push(s.with) } });
    expect(run.job('b').result).toBe('skipped');
    expect(uploads).toEqual([]);
  });

  it('the upload-artifact stand-in keeps names unique per run, applies retention as GitHub does, and leaves hidden files out', async () => {
    const UP = 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0';
    const root = project({
      'up.yml': `on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p "$RUNNER_TEMP/r/sub" && echo '{"a":1}' > "$RUNNER_TEMP/r/a.json" && echo b > "$RUNNER_TEMP/r/sub/b.txt" && echo h > "$RUNNER_TEMP/r/.hidden"
      - id: first
        uses: ${UP}
        with:
          name: report-\${{ github.run_attempt }}
          path: \${{ runner.temp }}/r/
          retention-days: 7
      - id: again
        continue-on-error: true
        uses: ${UP}
        with:
          name: report-\${{ github.run_attempt }}
          path: \${{ runner.temp }}/r/a.json
      - id: replaced
        uses: ${UP}
        with:
          name: long
          path: \${{ runner.temp }}/r/a.json
          retention-days: 400
      - id: none
        uses: ${UP}
        with:
          name: none
          path: missing/
          if-no-files-found: ignore
      - id: bad
        continue-on-error: true
        uses: ${UP}
        with:
          name: a/b
          path: \${{ runner.temp }}/r/
      - id: nodays
        continue-on-error: true
        uses: ${UP}
        with:
          name: c
          path: \${{ runner.temp }}/r/
          retention-days: two
`,
    });
    const store = new ArtifactStore();
    const run = await go(root, 'up.yml', { eventName: 'push', standIns: { 'actions/upload-artifact': uploadArtifact(store) } });
    const step = (id: string) => run.step('a', id);
    expect(step('first').outcome).toBe('success');
    expect(store.get(run.runId, 'report-1')).toMatchObject({ retentionDays: 7, files: { 'a.json': '{"a":1}\n', 'sub/b.txt': 'b\n' } });
    expect(Object.keys(store.get(run.runId, 'report-1').files)).not.toContain('.hidden');
    expect(step('again').outcome).toBe('failure');
    expect(step('again').stdout).toMatch(/already exists on the workflow run/);
    expect(store.get(run.runId, 'long').retentionDays).toBe(90);
    expect(step('replaced').stdout).toMatch(/cannot be greater than the maximum/);
    expect(step('none').outcome).toBe('success');
    expect(step('bad').stdout).toMatch(/artifact name is not valid/);
    expect(step('nodays').stdout).toMatch(/Invalid retention-days/);
    expect(store.list(run.runId).map((a) => a.name)).toEqual(['report-1', 'long']);
  });

  it('the checkout stand-in copies the repository files, only the sparse paths when given, and refuses other refs', async () => {
    const root = project({
      'co.yml': `on: push
permissions: {}
jobs:
  sparse:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          sparse-checkout: |
            .github/recovery.yml
            scripts/
      - run: find . -type f | sort | tr '\\n' ' '; ./scripts/hello.sh
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          ref: \${{ github.event.pull_request.head.sha || 'feature' }}
`,
    });
    const files = { '.github/recovery.yml': 'version: 1\n', 'scripts/hello.sh': '#!/bin/sh\necho hello\n', 'src/secret.js': 'x' };
    const run = await go(root, 'co.yml', { eventName: 'push', standIns: STANDARD_STAND_INS, workspaceFiles: files });
    expect(run.job('sparse').steps[1]!.stdout).toBe('./.github/recovery.yml ./scripts/hello.sh hello\n');
    expect(run.job('other').result).toBe('failure');
    expect(run.job('other').steps[0]!.stdout).toMatch(/refusing to check out feature/);
  });
});

describe('uses: resolution', () => {
  const CALLER = (uses: string) => `on: push
permissions: {}
jobs:
  probe:
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: ${uses}
        with:
          command: status
          dry-run: true
`;

  it('$/ is this checkout; an owner/repo that is not a declared stand-in fails the run before any job starts, whatever its name', async () => {
    const root = project({ 'self.yml': CALLER('$/circuit-breaker'), 'named.yml': CALLER('org/recovery/circuit-breaker@v1'), 'owner.yml': CALLER('OWNER/recovery/circuit-breaker@v1') });
    // Every uses: is resolved before any job starts, whether or not its if: holds (here it does not).
    await expect(go(root, 'self.yml', { eventName: 'push' })).resolves.toMatchObject({ result: 'success' });
    // A name the suite might be published under is never this checkout by itself (it used to be: any */recovery).
    await expect(go(root, 'named.yml', { eventName: 'push' })).rejects.toThrow("uses org/recovery/circuit-breaker@v1: no stand-in declared (standIns['org/recovery/circuit-breaker'])");
    await expect(go(root, 'owner.yml', { eventName: 'push' })).rejects.toThrow(/no stand-in declared/);
    await expect(go(root, 'self.yml', { eventName: 'push', standIns: { 'org/recovery': LOCAL_CHECKOUT } })).resolves.toBeDefined();
  });

  it('a declared name is this checkout for a caller, never inside the suite’s own workflows, which must use $/', async () => {
    const root = project({ 'inside.yml': CALLER('OWNER/recovery/circuit-breaker@v1') });
    await expect(go(root, 'inside.yml', { eventName: 'push', standIns: STANDARD_STAND_INS })).rejects.toThrow(/\.github\/workflows\/inside\.yml: uses: OWNER\/recovery\/circuit-breaker@v1: the suite's own workflows reference their actions and workflows with \$\//);
    const caller = tempDirWith({ 'examples/caller.yml': CALLER('OWNER/recovery/circuit-breaker@v1') }, 'wf-caller-');
    for (const d of ['dist', 'circuit-breaker']) symlinkSync(path.join(REPO_ROOT, d), path.join(caller, d));
    await expect(runWorkflow('examples/caller.yml', { ...OPTS, root: caller, eventName: 'push', standIns: STANDARD_STAND_INS })).resolves.toMatchObject({ result: 'success' });
    await expect(runWorkflow('examples/caller.yml', { ...OPTS, root: caller, eventName: 'push', standIns: { 'actions/checkout': STANDARD_STAND_INS['actions/checkout']! } })).rejects.toThrow(/no stand-in declared \(standIns\['OWNER\/recovery\/circuit-breaker'\]\)/);
  });
});

describe('reusable workflows', () => {
  const CALLEE = `on:
  workflow_call:
    inputs:
      count:
        type: number
        default: 2
      dry:
        type: boolean
        default: false
      label:
        type: string
        required: true
    secrets:
      token:
        required: true
    outputs:
      joined:
        value: \${{ jobs.work.outputs.joined }}
permissions: {}
concurrency:
  group: callee-\${{ inputs.label }}
jobs:
  work:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    outputs:
      joined: \${{ steps.j.outputs.joined }}
    steps:
      - id: j
        run: echo "joined=$COUNT/$DRY/$LABEL/$TOKEN_SET/\${{ github.event_name }}" >> "$GITHUB_OUTPUT"
        env:
          COUNT: \${{ inputs.count }}
          DRY: \${{ inputs.dry }}
          LABEL: \${{ inputs.label }}
          TOKEN_SET: \${{ secrets.token != '' }}
`;

  it('passes typed inputs with defaults and secrets, maps the callee outputs back, and flattens its jobs', async () => {
    const root = project({
      'callee.yml': CALLEE,
      'caller.yml': `on: workflow_dispatch
permissions: {}
jobs:
  call:
    permissions:
      contents: read
    uses: $/.github/workflows/callee.yml
    with:
      dry: true
      label: x
    secrets:
      token: \${{ secrets.MY_TOKEN }}
  inherit:
    permissions:
      contents: read
    uses: ./.github/workflows/callee.yml
    with:
      count: 5
      label: y
    secrets: inherit
  use:
    needs: [call, inherit]
    runs-on: ubuntu-latest
    steps:
      - id: u
        run: echo "got=\${{ needs.call.outputs.joined }}+\${{ needs.inherit.outputs.joined }}" >> "$GITHUB_OUTPUT"
`,
    });
    const run = await go(root, 'caller.yml', { eventName: 'workflow_dispatch', secrets: { MY_TOKEN: 'abc', token: 'inherited' } });
    expect(run.warnings).toEqual([]);
    expect(run.job('call').outputs).toEqual({ joined: '2/true/x/true/workflow_dispatch' });
    expect(run.job('call/work').result).toBe('success');
    expect(run.job('call').workflow?.inputs).toEqual({ count: 2, dry: true, label: 'x' });
    expect(run.job('call').workflow?.concurrency).toEqual({ group: 'callee-x', cancelInProgress: false, queue: 'single' });
    expect(run.job('inherit').outputs).toEqual({ joined: '5/false/y/true/workflow_dispatch' });
    expect(run.step('use', 'u').outputs).toEqual({ got: '2/true/x/true/workflow_dispatch+5/false/y/true/workflow_dispatch' });

    // A reusable workflow run on its own: a call from an imaginary caller of the given event.
    const direct = await go(root, 'callee.yml', { eventName: 'push', inputs: { label: 'z', count: 7 }, secrets: { token: 't' } });
    expect(direct.outputs).toEqual({ joined: '7/false/z/true/push' });
    await expect(go(root, 'callee.yml', { eventName: 'push', inputs: { count: 1 }, secrets: { token: 't' } })).rejects.toThrow(/input 'label' is required/);
  });

  it('fails the calling job like GitHub: a mistyped or undefined input, a missing required secret, more permissions than the caller has; a group the caller holds deadlocks', async () => {
    const job = (id: string, body: string) => `  ${id}:\n    permissions:\n      contents: read\n    uses: ./.github/workflows/callee.yml\n${body}`;
    const root = project({
      'callee.yml': CALLEE,
      'writer.yml': CALLEE.replace('contents: read', 'contents: write'),
      'caller.yml': `on: push
permissions: {}
jobs:
${job('string-for-boolean', "    with:\n      label: a\n      dry: 'true'\n    secrets:\n      token: t\n")}
${job('undefined-input', '    with:\n      label: a\n      colour: red\n    secrets:\n      token: t\n')}
${job('no-secret', '    with:\n      label: a\n')}
${job('writer', '    with:\n      label: a\n    secrets:\n      token: t\n').replace('callee.yml', 'writer.yml')}
  held:
    permissions:
      contents: read
    concurrency: callee-same
    uses: ./.github/workflows/callee.yml
    with:
      label: same
    secrets:
      token: t
`,
    });
    const run = await go(root, 'caller.yml', { eventName: 'push' });
    expect(run.job('string-for-boolean')).toMatchObject({ result: 'failure', error: expect.stringMatching(/input 'dry' expects a boolean, got "true"/) });
    expect(run.job('undefined-input').error).toMatch(/Invalid input, colour is not defined in the referenced workflow/);
    expect(run.job('no-secret').error).toMatch(/secret 'token' is required by .github\/workflows\/callee.yml, but not provided/);
    expect(run.job('writer').result).toBe('failure');
    expect(run.job('writer/work')).toMatchObject({ result: 'failure', error: "The nested job 'work' is requesting 'contents: write', but is only allowed 'contents: read'" });
    expect(run.job('held').result).toBe('cancelled');
    expect(run.trace).toMatch(/deadlock on concurrency group 'callee-same'/);
    expect(run.result).toBe('failure');
  });
});

describe('GITHUB_TOKEN per job, and choosing jobs', () => {
  const WF = `on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "token=$T" >> "$GITHUB_OUTPUT"
        id: t
        env:
          T: \${{ github.token }}
    outputs:
      token: \${{ steps.t.outputs.token }}
  publish:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      contents: write
      issues: read
    steps:
      - run: test "$T" = "$S"
        env:
          T: \${{ github.token }}
          S: \${{ secrets.GITHUB_TOKEN }}
  other:
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
`;

  it('a function mints one token per job from its effective permissions; github.token and secrets.GITHUB_TOKEN are it', async () => {
    const root = project({ 'w.yml': WF });
    const minted: Array<[string, unknown]> = [];
    const run = await go(root, 'w.yml', {
      eventName: 'push',
      jobs: ['publish'],
      githubToken: ({ path: job, permissions }) => {
        minted.push([job, permissions]);
        return `ghs_${job}`;
      },
    });
    expect(run.result, run.trace).toBe('success');
    // Only the chosen job and what it needs ran; `other` is left out.
    expect(Object.keys(run.jobs).sort()).toEqual(['build', 'publish']);
    expect(minted).toEqual([
      ['build', { contents: 'read' }],
      ['publish', { contents: 'write', issues: 'read' }],
    ]);
    // Each step sees its own job's token (publish checked that github.token is secrets.GITHUB_TOKEN).
    expect(run.step('build', 't').outputs.token).toBe('ghs_build');
  });

  it('an unknown job is an error naming the jobs there are', async () => {
    const root = project({ 'w.yml': WF });
    await expect(go(root, 'w.yml', { eventName: 'push', jobs: ['deploy'] })).rejects.toThrow(/has no job deploy \(jobs: build, publish, other\)/);
  });
});
