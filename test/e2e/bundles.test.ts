import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runAction, runActionInProcess, startHttpServer, type ActionEntry, type RunOptions, type RunResult, type TestHttpServer } from '@recovery/testkit/harness';
import { useEmulator } from '@recovery/testkit/emulator/vitest';
import type { RepoHandle } from '@recovery/testkit/emulator';
import { FAST_ENV } from '@recovery/testkit/speeds';
import { run as healthCheck } from '../../actions/health-check/src/main';
import { run as circuitBreaker } from '../../actions/circuit-breaker/src/main';
import { run as evaluateRecovery } from '../../actions/evaluate-recovery/src/main';
import { run as redeploy } from '../../actions/redeploy/src/main';
import { run as openIssue } from '../../actions/open-issue/src/main';

/**
 * What only a bundle shows: each committed bundle loads and runs under the runner's protocol (inputs from
 * INPUT_*, outputs and the summary through the file commands, the token masked, the exit code) and answers
 * what its entry answers in process, where the other action tests run. .ci/run runs this file again with
 * the bundles under Node 24.
 */
const emu = useEmulator();
const TOKEN = 'test-token';
let n = 0;
const servers: TestHttpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Smoke {
  name: string;
  entry: ActionEntry;
  /** A fresh repository set up for the step, and the step's options. */
  setup: (r: RepoHandle) => Promise<RunOptions> | RunOptions;
  /** Outputs both runs must give. */
  expected: Record<string, string>;
}

const SMOKES: Smoke[] = [
  {
    name: 'health-check',
    entry: healthCheck,
    setup: async () => {
      const svc = await startHttpServer((_req, res) => {
        res.writeHead(200).end('ok');
      });
      servers.push(svc);
      return { inputs: { targets: `${svc.url}/health`, record: false } };
    },
    expected: { status: 'healthy', 'should-recover': 'false', 'healthy-count': '1', 'total-count': '1' },
  },
  {
    name: 'circuit-breaker',
    entry: circuitBreaker,
    setup: () => ({ inputs: { command: 'record-failure', reason: 'deploy failed' } }),
    expected: { state: 'closed', allowed: 'true', 'recovery-failures': '1', 'alert-level': 'warning' },
  },
  {
    name: 'evaluate-recovery',
    entry: evaluateRecovery,
    setup: (r) => {
      const run = r.addRun({ workflow: 'deploy.yml', conclusion: 'failure', head_branch: 'main', jobs: [{ name: 'deploy', conclusion: 'failure', log: 'npm error code ETARGET\nnpm error notarget No matching version found for left-pad@^9.0.0\n' }] });
      return { inputs: { 'run-id': run.id, 'dry-run': true } };
    },
    expected: { decision: 'rerun', category: 'dependency' },
  },
  {
    name: 'redeploy',
    entry: redeploy,
    setup: () => ({ inputs: { mode: 'previous', workflow: 'deploy.yml', inputs: "sha: '{sha}'", 'dry-run': true } }),
    expected: { result: 'no-candidate', 'target-sha': '' },
  },
  {
    name: 'open-issue',
    entry: openIssue,
    setup: () => ({ inputs: { mode: 'open', scope: 'api', status: 'unhealthy', decision: 'escalate', reason: 'the API answers 502', 'session-id': '20260114-0932-77' } }),
    expected: { action: 'created' },
  },
];

async function step(smoke: Smoke, how: 'bundle' | 'in process'): Promise<RunResult> {
  const r = emu().createRepo(`octo/bundle-${++n}`);
  const opts: RunOptions = { ...(await smoke.setup(r)), apiUrl: emu().url, token: TOKEN, repository: r.fullName, env: FAST_ENV };
  return how === 'bundle' ? runAction(smoke.name, opts) : runActionInProcess(smoke.name, smoke.entry, opts);
}

describe('the committed bundles', () => {
  for (const smoke of SMOKES) {
    it(`${smoke.name}: loads, speaks the runner protocol, and answers as its entry does in process`, async () => {
      const [bundled, inProcess] = await Promise.all([step(smoke, 'bundle'), step(smoke, 'in process')]);
      expect(bundled.code, bundled.stdout + bundled.stderr).toBe(0);
      expect(bundled.stderr).toBe('');
      expect(bundled.fileCommandErrors).toEqual([]);
      expect(bundled.outputs).toMatchObject(smoke.expected);
      expect(bundled.summary.trim()).not.toBe('');
      expect(bundled.masks).toContain(TOKEN);
      expect(bundled.log).not.toContain(TOKEN);
      // The same step in process: the same outputs (names and the values that do not name the run), the same outcome.
      expect(inProcess.code).toBe(bundled.code);
      expect(Object.keys(inProcess.outputs).sort()).toEqual(Object.keys(bundled.outputs).sort());
      expect(inProcess.outputs).toMatchObject(smoke.expected);
      expect(inProcess.annotations.map((a) => a.level)).toEqual(bundled.annotations.map((a) => a.level));
    });
  }

  it('a run ends with its work: WebAssembly tier-up is off before undici compiles its HTTP parser (exit waits for V8\'s background compile jobs), and nothing holds the event loop at exit', async () => {
    const r = emu().createRepo(`octo/bundle-${++n}`);
    const record = path.join(mkdtempSync(path.join(os.tmpdir(), 'exit-probe-')), 'probe.json');
    const preload = path.join(REPO_ROOT, 'packages/testkit/src/harness/fixtures/exit-probe.mjs');
    await runAction('circuit-breaker', { inputs: { command: 'record-failure', reason: 'deploy failed' }, apiUrl: emu().url, token: TOKEN, repository: r.fullName, env: FAST_ENV });
    const res = await runAction('circuit-breaker', { inputs: { command: 'status' }, apiUrl: emu().url, token: TOKEN, repository: r.fullName, env: { ...FAST_ENV, NODE_OPTIONS: `--import ${preload}`, EXIT_PROBE_FILE: record } });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.outputs).toMatchObject({ state: 'closed', 'recovery-failures': '1' });
    const probe = JSON.parse(readFileSync(record, 'utf8')) as { events: string[]; held: string[] };
    const firstWasm = probe.events.findIndex((e) => e.startsWith('wasm '));
    expect(firstWasm, probe.events.join(', ')).toBeGreaterThan(0);
    expect(probe.events.slice(0, firstWasm)).toEqual(expect.arrayContaining(['flag --no-wasm-tier-up', 'flag --no-wasm-dynamic-tiering']));
    expect(probe.held).toEqual([]);
  });

  it('a step that fails says why as an error annotation and exits 1, naming the input', async () => {
    const r = emu().createRepo(`octo/bundle-${++n}`);
    const res = await runAction('circuit-breaker', { inputs: { command: 'explode' }, apiUrl: emu().url, token: TOKEN, repository: r.fullName, env: FAST_ENV });
    expect(res.code).toBe(1);
    expect(res.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringMatching(/^Invalid input `command`: expected one of/)]);
    expect(emu().requests().filter((e) => e.path.includes(r.fullName))).toEqual([]);
  });
});
