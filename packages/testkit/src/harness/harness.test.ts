import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  inputEnvName,
  liveTempDirs,
  makeEvent,
  maskSecrets,
  metadataDefaults,
  parseCommandLine,
  parseWorkflowCommands,
  readFileCommands,
  runAction,
  startHttpServer,
  tempDir,
  withTempDir,
  type RunOptions,
} from './index';

/**
 * Fixture bundles: plain ESM files that speak the runner protocol by hand (no dependency on dist/), with a
 * tiny prelude like an action's runtime: `out(name, value)` as `name=value`, `outHeredoc` as
 * `name<<DELIM`, `cmd(...)` for workflow commands with the runner's escaping.
 */
const PRELUDE = `
import fs from 'node:fs';
const append = (v, text) => fs.appendFileSync(process.env[v], text);
const out = (k, v) => append('GITHUB_OUTPUT', k + '=' + v + '\\n');
const outHeredoc = (k, v, d = 'EOF_' + Math.random().toString(36).slice(2)) => append('GITHUB_OUTPUT', k + '<<' + d + '\\n' + v + '\\n' + d + '\\n');
const escData = (s) => s.replace(/%/g, '%25').replace(/\\r/g, '%0D').replace(/\\n/g, '%0A');
const escProp = (s) => escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const cmd = (name, msg, props = {}) => {
  const p = Object.entries(props).map(([k, v]) => k + '=' + escProp(String(v))).join(',');
  process.stdout.write('::' + name + (p ? ' ' + p : '') + '::' + escData(msg) + '\\n');
};
`;

const bundles = tempDir('fixture-bundles-', { scope: 'file' });
let n = 0;
function fixture(code: string): string {
  const file = path.join(bundles, `fixture-${++n}.mjs`);
  writeFileSync(file, PRELUDE + code);
  return file;
}
/** A fixture run without any action.yml (no defaults) unless the caller gives metadata. */
const run = (code: string, opts: RunOptions = {}) => runAction('fixture', { metadata: path.join(bundles, 'no-action.yml'), ...opts, bundle: fixture(code) });

describe('runAction: the Node that runs bundles', () => {
  it('is the host’s, unless RECOVERY_BUNDLE_NODE names another binary (.ci/run: Node 24, as runs.using: node24)', async () => {
    const saved = process.env.RECOVERY_BUNDLE_NODE;
    try {
      delete process.env.RECOVERY_BUNDLE_NODE;
      const host = await run(`out('node', process.version);`);
      expect(host.outputs.node).toBe(process.version);
      // A wrapper standing in for another Node: it marks the environment, then runs the host's binary.
      const wrapper = path.join(bundles, 'other-node.sh');
      writeFileSync(wrapper, `#!/bin/sh\nexport OTHER_NODE=yes\nexec "${process.execPath}" "$@"\n`, { mode: 0o755 });
      process.env.RECOVERY_BUNDLE_NODE = wrapper;
      const other = await run(`out('other', process.env.OTHER_NODE ?? 'no');`);
      expect(other.outputs.other).toBe('yes');
    } finally {
      if (saved === undefined) delete process.env.RECOVERY_BUNDLE_NODE;
      else process.env.RECOVERY_BUNDLE_NODE = saved;
    }
  });
});

describe('runAction: file commands', () => {
  it('parses outputs written as name=value and as heredocs, plus state, env, path and the summary', async () => {
    const r = await run(`
      out('plain', 'a=b=c');
      out('spaced', '  kept  ');
      outHeredoc('multi', 'line 1\\nline 2 = x\\nname<<NOT_A_DELIM');
      outHeredoc('empty', '');
      out('plain', 'overridden');
      fs.appendFileSync(process.env.GITHUB_OUTPUT, 'crlf<<D\\r\\nx\\r\\ny\\r\\nD\\r\\n');
      append('GITHUB_STATE', 'pid=' + process.pid + '\\n');
      append('GITHUB_ENV', 'FOO<<E\\nbar\\nbaz\\nE\\nONE=1\\n');
      append('GITHUB_PATH', '/opt/a/bin\\n/opt/b/bin\\n');
      append('GITHUB_STEP_SUMMARY', '# Title\\n\\n| a | b |\\n');
    `);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({
      plain: 'overridden',
      spaced: '  kept  ',
      multi: 'line 1\nline 2 = x\nname<<NOT_A_DELIM',
      empty: '',
      // Linux runner: lines split at \n only, so \r stays in the value and in the delimiter line.
      crlf: 'x\r\ny\r',
    });
    expect(r.fileCommandErrors).toEqual([]);
    expect(Number(r.state.pid)).toBeGreaterThan(0);
    expect(r.env).toEqual({ FOO: 'bar\nbaz', ONE: '1' });
    expect(r.paths).toEqual(['/opt/a/bin', '/opt/b/bin']);
    expect(r.summary).toBe('# Title\n\n| a | b |\n');
  });

  it('reports file-command format errors like the runner (which fails the step)', async () => {
    const r = await run(`
      out('ok', '1');
      fs.appendFileSync(process.env.GITHUB_OUTPUT, 'broken<<END\\nnever closed\\n');
    `);
    expect(r.outputs).toEqual({ ok: '1' });
    expect(r.fileCommandErrors).toEqual(["GITHUB_OUTPUT: Invalid value. Matching delimiter not found 'END'"]);
  });

  it('flags a step summary over the runner limit of 1 MiB', async () => {
    const r = await run(`append('GITHUB_STEP_SUMMARY', 'x'.repeat(1024 * 1024 + 1));`);
    expect(r.runnerWarnings.join('\n')).toMatch(/GITHUB_STEP_SUMMARY upload aborted/);
  });
});

describe('runAction: workflow commands', () => {
  it('parses annotations with properties, unescaping %25 %0D %0A %3A %2C, and masks', async () => {
    const r = await run(`
      cmd('add-mask', 'hunter2');
      cmd('add-mask', 'multi%line');
      console.log('password is hunter2');
      cmd('error', 'Bad: 100% broken\\r\\nsecond line', { title: 'Title: a, b', file: 'src/x.ts', line: 12, col: 3 });
      cmd('warning', 'just a warning');
      cmd('notice', 'fyi', { title: 'n' });
      cmd('debug', 'details');
      process.stdout.write('  ::warning::leading spaces are trimmed like the runner\\n');
      console.log('::unknown-command::ignored');
      console.log('not a command ::error::either');
      console.log('::error title=raw:colon,file=f.ts::colons in properties need not be escaped');
      console.error('::warning::from stderr');
    `);
    expect(r.code).toBe(0);
    expect(r.masks).toEqual(['hunter2', 'multi%line']);
    expect(r.log).toContain('password is ***');
    expect(r.log).not.toContain('hunter2');
    expect(r.annotations).toEqual([
      { level: 'error', message: 'Bad: 100% broken\r\nsecond line', properties: { title: 'Title: a, b', file: 'src/x.ts', line: '12', col: '3' } },
      { level: 'warning', message: 'just a warning', properties: {} },
      { level: 'notice', message: 'fyi', properties: { title: 'n' } },
      { level: 'debug', message: 'details', properties: {} },
      { level: 'warning', message: 'leading spaces are trimmed like the runner', properties: {} },
      { level: 'error', message: 'colons in properties need not be escaped', properties: { title: 'raw:colon', file: 'f.ts' } },
      { level: 'warning', message: 'from stderr', properties: {} },
    ]);
  });

  it('ignores commands between ::stop-commands::TOKEN and ::TOKEN::, and reads deprecated ::set-output', async () => {
    const r = await run(`
      console.log('::stop-commands::pause-token');
      console.log('::error::not a command while stopped');
      console.log('::add-mask::not-a-mask');
      console.log('::pause-token::');
      console.log('::error::processed again');
      console.log('::set-output name=legacy::old way');
      out('legacy2', 'file wins');
      console.log('::set-output name=legacy2::stdout loses');
    `);
    expect(r.annotations.map((a) => a.message)).toEqual(['processed again']);
    expect(r.masks).toEqual([]);
    expect(r.outputs).toEqual({ legacy: 'old way', legacy2: 'file wins' });
  });
});

/** 'gone', or the state letter from /proc (Linux): Z for a zombie, S/R for a live process. */
function processState(pid: number): string {
  try {
    process.kill(pid, 0);
  } catch {
    return 'gone';
  }
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'gone';
  }
}

describe('runAction: process', () => {
  it('reports a non-zero exit code and stderr', async () => {
    const r = await run(`console.error('boom'); process.exit(3);`);
    expect(r).toMatchObject({ code: 3, signal: null, timedOut: false, aborted: false });
    expect(r.stderr).toContain('boom');
  });

  it('kills a hanging action with SIGKILL after timeoutMs, grandchildren included', async () => {
    const r = await run(
      `
      import { spawn } from 'node:child_process';
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      out('grandchild', String(c.pid));
      process.on('SIGTERM', () => console.log('SIGTERM ignored'));
      setInterval(() => {}, 1000);
    `,
      { timeoutMs: 2000 },
    );
    expect(r).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });
    expect(r.durationMs).toBeGreaterThanOrEqual(1900);
    expect(r.durationMs).toBeLessThan(10_000);
    const pid = Number(r.outputs.grandchild);
    expect(pid).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 100));
    expect(processState(pid)).toMatch(/^(gone|Z)$/); // dead (a zombie where PID 1 does not reap)
  });

  it('stops on an AbortSignal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await run(`setInterval(() => {}, 1000);`, { signal: ac.signal });
    expect(r).toMatchObject({ aborted: true, timedOut: false, signal: 'SIGKILL' });
    await expect(run(`0`, { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('refuses a missing bundle with a hint', async () => {
    await expect(runAction('no-such-action')).rejects.toThrow(/npm run bundle/);
  });
});

describe('runAction: inputs and environment', () => {
  const ENV_DUMP = `out('env', JSON.stringify(process.env)); out('cwd', process.cwd());`;

  it('maps inputs like the runner: upper case, spaces to _, dashes kept, values as strings', async () => {
    const r = await run(ENV_DUMP, { inputs: { 'dry-run': true, 'my input': 'x y', count: 5, Mixed_Case: 'm', skipped: undefined } });
    const env = JSON.parse(r.outputs.env!) as Record<string, string>;
    expect(env['INPUT_DRY-RUN']).toBe('true');
    expect(env.INPUT_MY_INPUT).toBe('x y');
    expect(env.INPUT_COUNT).toBe('5');
    expect(env.INPUT_MIXED_CASE).toBe('m');
    expect(Object.keys(env).filter((k) => k.startsWith('INPUT_')).sort()).toEqual(['INPUT_COUNT', 'INPUT_DRY-RUN', 'INPUT_MIXED_CASE', 'INPUT_MY_INPUT']);
    expect(inputEnvName('keep-failures')).toBe('INPUT_KEEP-FAILURES');
  });

  it('applies action.yml defaults: literals, ${{ github.token }} only from the token given, other expressions empty', async () => {
    const meta = path.join(tempDir(), 'action.yml');
    writeFileSync(
      meta,
      `name: x
description: d
inputs:
  token: { description: t, default: '\${{ github.token }}' }
  repo: { description: r, default: '\${{ github.repository }}' }
  mode: { description: m, default: status }
  dry-run: { description: d, default: false }
  count: { description: c, default: 3 }
  no-default: { description: n }
  old: { description: o, deprecationMessage: use new }
runs: { using: node24, main: index.js }
`,
    );
    const r = await run(ENV_DUMP, { metadata: meta, inputs: { MODE: 'check', old: 'x', typo: 'y' }, env: { GITHUB_TOKEN: 'ghs_fromenv' } });
    const env = JSON.parse(r.outputs.env!) as Record<string, string>;
    expect(env).toMatchObject({ INPUT_TOKEN: 'ghs_fromenv', INPUT_REPO: '', INPUT_MODE: 'check', 'INPUT_DRY-RUN': 'false', INPUT_COUNT: '3', 'INPUT_NO-DEFAULT': '', INPUT_OLD: 'x' });
    expect(r.runnerWarnings).toEqual([
      "Input 'old' has been deprecated with message: use new",
      "Unexpected input(s) 'typo', valid inputs are ['token', 'repo', 'mode', 'dry-run', 'count', 'no-default', 'old']",
    ]);
    // No token anywhere: the default is empty. The `token` option sets only the expression value.
    const none = await run(ENV_DUMP, { metadata: meta });
    expect(JSON.parse(none.outputs.env!)).toMatchObject({ INPUT_TOKEN: '' });
    const opt = await run(ENV_DUMP, { metadata: meta, token: 'ghs_opt' });
    const optEnv = JSON.parse(opt.outputs.env!) as Record<string, string>;
    expect(optEnv.INPUT_TOKEN).toBe('ghs_opt');
    expect(optEnv.GITHUB_TOKEN).toBeUndefined();
    // A missing action.yml: no defaults, no warnings.
    expect(metadataDefaults(path.join(tempDir(), 'missing.yml'), 't')).toEqual({});
  });

  it('gives the runner environment and nothing of the host GITHUB_*, INPUT_*, RUNNER_* or tokens', async () => {
    const leaked = { GITHUB_TOKEN: 'ghp_parent', GH_TOKEN: 'gho_parent', INPUT_LEAK: 'x', RUNNER_LEAK: 'x', GITHUB_LEAK: 'x', ACTIONS_RUNTIME_TOKEN: 'x', NPM_TOKEN: 'x', NODE_OPTIONS: '--require /nope.js' };
    const saved = Object.fromEntries(Object.keys(leaked).map((k) => [k, process.env[k]]));
    Object.assign(process.env, leaked);
    let r;
    try {
      r = await run(ENV_DUMP, { repository: 'acme/shop', runId: 1234, runAttempt: 2, files: { '.github/recovery.yml': 'version: 1\n', 'a/b.txt': 'b' }, apiUrl: 'http://127.0.0.1:1/' });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const env = JSON.parse(r.outputs.env!) as Record<string, string>;
    for (const k of Object.keys(leaked)) expect(env[k], k).toBeUndefined();
    expect(Object.values(env).join('\n')).not.toMatch(/ghp_parent|gho_parent/);
    expect(env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_OS: 'Linux',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_RUN_ID: '1234',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_API_URL: 'http://127.0.0.1:1',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_WORKSPACE: r.workspace,
      RUNNER_TEMP: r.runnerTemp,
    });
    for (const k of ['GITHUB_SHA', 'GITHUB_WORKFLOW', 'GITHUB_JOB', 'GITHUB_ACTION', 'GITHUB_ACTOR', 'GITHUB_RUN_NUMBER', 'GITHUB_SERVER_URL', 'PATH']) expect(env[k], k).toBeTruthy();
    expect(env.GITHUB_SERVER_URL).not.toMatch(/github\.com/);
    expect(statSync(env.RUNNER_TEMP!).isDirectory()).toBe(true);
    expect(r.outputs.cwd).toBe(r.workspace);
    expect(readFileSync(path.join(r.workspace, '.github/recovery.yml'), 'utf8')).toBe('version: 1\n');
    // The event payload is for the same repository and points at the local API.
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH!, 'utf8')) as { repository: { full_name: string; url: string } };
    expect(event.repository.full_name).toBe('acme/shop');
    expect(event.repository.url).toBe('http://127.0.0.1:1/repos/acme/shop');
  });

  it('uses a given workspace and writes files into it, refusing paths that leave it', async () => {
    const ws = tempDir('given-ws-');
    const r = await run(`out('file', fs.readFileSync('policy.yml', 'utf8'));`, { workspace: ws, files: { 'policy.yml': 'p' } });
    expect(r.outputs.file).toBe('p');
    expect(r.workspace).toBe(ws);
    await expect(run(`0`, { files: { '../escape.txt': 'x' } })).rejects.toThrow(/leaves/);
  });
});

describe('runAction with the real @actions/core', () => {
  it('reads the heredoc outputs, commands, masks and summary that @actions/core writes', async () => {
    const r = await runAction('core-fixture', {
      bundle: path.join(import.meta.dirname, 'fixtures/core-action.mjs'),
      metadata: path.join(bundles, 'no-action.yml'),
      inputs: { 'who-am-i': 'tester', 'multi line': 'a b', 'dry-run': true },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1); // setFailed
    expect(r.fileCommandErrors).toEqual([]);
    expect(r.outputs).toEqual({
      greeting: 'hello tester',
      multiline: 'first line\nsecond = line\nthird <<EOF',
      json: JSON.stringify({ dryRun: true, multi: 'a b' }),
      empty: '',
    });
    expect(readFileSync(r.childEnv.GITHUB_OUTPUT!, 'utf8')).toMatch(/^greeting<<ghadelimiter_[0-9a-f-]{36}\n/);
    expect(Number(r.state.pid)).toBeGreaterThan(0);
    expect(r.env).toEqual({ FROM_CORE: 'a=b\nc' });
    expect(r.paths).toEqual(['/opt/fixture/bin']);
    expect(r.masks).toEqual(['s3cr3t-value']);
    expect(r.log).toContain('the secret is ***');
    expect(r.annotations).toEqual([
      { level: 'debug', message: 'debug text', properties: {} },
      { level: 'notice', message: 'a notice', properties: { title: 'Note' } },
      { level: 'warning', message: 'careful: 50% done, a,b', properties: { title: 'Title: with, punctuation', file: 'src/a.ts', line: '3', endLine: '4', col: '1' } },
      { level: 'error', message: 'Error: multi\nline error', properties: {} },
      { level: 'error', message: 'failed on purpose', properties: {} },
    ]);
    expect(r.commands.map((c) => c.command)).toEqual(['add-mask', 'debug', 'notice', 'warning', 'error', 'group', 'endgroup', 'error']);
    expect(r.summary).toContain('<h1>Fixture summary</h1>');
    expect(r.summary).toContain('<td>dry-run</td><td>true</td>');
  });
});

describe('event payloads', () => {
  it('workflow_run: the webhook example shape, for the given repository, run and workflow, with no real GitHub URL', () => {
    const e = makeEvent('workflow_run', { repository: 'acme/shop', conclusion: 'failure', runId: 99, runAttempt: 2, workflowPath: '.github/workflows/deploy-prod.yml', headSha: 'a'.repeat(40), apiUrl: 'http://127.0.0.1:5' }) as {
      action: string;
      repository: { full_name: string; name: string; owner: { login: string }; id: number };
      workflow: { path: string; id: number };
      workflow_run: Record<string, unknown> & { repository: { full_name: string }; head_repository: { full_name: string }; head_commit: { id: string } };
      sender: { login: string };
    };
    expect(e.action).toBe('completed');
    expect(e.repository).toMatchObject({ full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } });
    expect(e.workflow_run).toMatchObject({
      id: 99,
      run_attempt: 2,
      conclusion: 'failure',
      status: 'completed',
      path: '.github/workflows/deploy-prod.yml',
      head_sha: 'a'.repeat(40),
      head_branch: 'main',
      url: 'http://127.0.0.1:5/repos/acme/shop/actions/runs/99',
      jobs_url: 'http://127.0.0.1:5/repos/acme/shop/actions/runs/99/jobs',
      previous_attempt_url: 'http://127.0.0.1:5/repos/acme/shop/actions/runs/99/attempts/1',
      workflow_id: e.workflow.id,
    });
    expect(e.workflow_run.head_commit.id).toBe('a'.repeat(40));
    expect(e.workflow_run.repository.full_name).toBe('acme/shop');
    expect(e.workflow_run.head_repository.full_name).toBe('acme/shop');
    expect(e.workflow.path).toBe('.github/workflows/deploy-prod.yml');
    // Keys of GitHub's example are kept.
    for (const k of ['check_suite_id', 'created_at', 'run_started_at', 'pull_requests', 'rerun_url']) expect(e.workflow_run).toHaveProperty(k);
    const text = JSON.stringify(e);
    expect(text).not.toMatch(/Codertocat|octo-org|Hello-World|octo-repo|https:\/\/(api\.)?github\.com/);
  });

  it('schedule, workflow_dispatch and push carry the repository and their own fields', () => {
    const s = makeEvent('schedule', { schedule: '*/5 * * * *', repository: 'acme/shop' }) as { schedule: string; repository: { full_name: string }; workflow: string };
    expect(s).toMatchObject({ schedule: '*/5 * * * *', repository: { full_name: 'acme/shop' }, workflow: '.github/workflows/monitor.yml' });
    const d = makeEvent('workflow_dispatch', { inputs: { scope: 'api', dry_run: true } }) as { inputs: object; ref: string; repository: { full_name: string } };
    expect(d).toMatchObject({ inputs: { scope: 'api', dry_run: true }, ref: 'refs/heads/main', repository: { full_name: 'octo/app' } });
    const p = makeEvent('push', { headSha: 'b'.repeat(40) }) as { ref: string; after: string; head_commit: { id: string } };
    expect(p).toMatchObject({ ref: 'refs/heads/main', after: 'b'.repeat(40), head_commit: { id: 'b'.repeat(40) } });
    for (const ev of [s, d, p]) {
      const text = JSON.stringify(ev);
      expect(text).not.toMatch(/Hello-World|octo-org|https?:\/\/(api\.)?github\.com|git@github\.com/);
      expect(text).not.toMatch(/\/(users|orgs)\/Codertocat/);
      expect(ev).toMatchObject({ repository: { default_branch: 'main' }, sender: { login: 'octocat', followers_url: 'http://api.github.localhost/users/octocat/followers' } });
    }
  });

  it('runAction writes a default payload for the event name, or the one given', async () => {
    const READ = `outHeredoc('event', fs.readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8')); out('name', process.env.GITHUB_EVENT_NAME);`;
    const r = await run(READ, { eventName: 'schedule', repository: 'acme/shop' });
    expect(r.outputs.name).toBe('schedule');
    expect(JSON.parse(r.outputs.event!)).toMatchObject({ schedule: '*/5 * * * *', repository: { full_name: 'acme/shop' } });
    const given = makeEvent('workflow_run', { runId: 7, conclusion: 'success' });
    const g = await run(READ, { eventName: 'workflow_run', event: given });
    expect(JSON.parse(g.outputs.event!)).toEqual(given);
  });
});

describe('helpers', () => {
  it('startHttpServer: a real local service the action can reach; requests are recorded', async () => {
    const srv = await startHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, got: req.body }));
    });
    try {
      expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await run(`const res = await fetch(process.env.GITHUB_API_URL + '/x', { method: 'POST', body: 'hi' }); out('body', await res.text());`, { apiUrl: srv.url });
      expect(JSON.parse(r.outputs.body!)).toEqual({ method: 'POST', got: 'hi' });
      expect(srv.requests).toMatchObject([{ method: 'POST', url: '/x', body: 'hi' }]);
    } finally {
      await srv.close();
    }
    const failing = await startHttpServer(() => {
      throw new Error('handler bug');
    });
    const res = await fetch(failing.url);
    expect([res.status, await res.text()]).toEqual([500, 'handler bug']);
    await failing.close();
  });

  let fromPreviousTest = '';
  it('temp dirs are removed by withTempDir, and at the end of the test that made them', async () => {
    const kept = await withTempDir((d) => {
      writeFileSync(path.join(d, 'x'), 'x');
      return d;
    });
    expect(existsSync(kept)).toBe(false);
    fromPreviousTest = tempDir();
    expect(liveTempDirs()).toContain(fromPreviousTest);
    expect(liveTempDirs()).toContain(bundles); // scope: 'file'
  });
  it('(the directory made in the previous test is gone)', () => {
    expect(fromPreviousTest).not.toBe('');
    expect(existsSync(fromPreviousTest)).toBe(false);
    expect(existsSync(bundles)).toBe(true);
  });

  it('parses the runner formats at the edges', () => {
    expect(readFileCommands('a=1\n\nb<<X\nX\nc=\n')).toEqual({ values: { a: '1', b: '', c: '' }, errors: [] });
    expect(readFileCommands('x<<E\nunterminated').errors).toEqual(['Invalid value. EOF marker missing new line.']);
    expect(readFileCommands('no separator\n').errors).toEqual(["Invalid format 'no separator'"]);
    expect(readFileCommands('=v\n').errors[0]).toMatch(/Name must not be empty/);
    expect(parseCommandLine('::error file=a.ts,line=1,bad,=x,y=::m::n')).toEqual({ command: 'error', properties: { file: 'a.ts', line: '1' }, data: 'm::n' });
    expect(parseCommandLine('::error::%250A stays')?.data).toBe('%0A stays');
    expect(parseCommandLine('::group::x')?.command).toBe('group');
    expect(parseCommandLine('::nope::x')).toBeUndefined();
    expect(parseWorkflowCommands('::add-mask::  \n').masks).toEqual([]);
    expect(maskSecrets('a token-long token', ['token', 'token-long'])).toBe('a *** ***');
  });
});
