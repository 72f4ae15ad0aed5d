import { describe, expect, it } from 'vitest';
import {
  BUILTIN_RULES,
  EVIDENCE_MAX_LINES,
  MAX_LINE_CHARS,
  RunClassifier,
  classifyLogs,
  compileClassifier,
  type Classification,
} from '../src/classify';
import { PolicySchema, parsePolicy, type PolicyInput } from '../src/policy';
import { UserError } from '../src/errors';

const compiled = (classify: PolicyInput['classify'] = {}) => compileClassifier(PolicySchema.parse({ classify }).classify);
const DEFAULTS = compiled();
const one = (log: string, c = DEFAULTS, job = 'deploy', conclusion = 'failure'): Classification => classifyLogs(c, [{ name: job, log, conclusion }]);
const TS = '2026-01-14T09:32:11.4830000Z ';

/** Real-world lines each built-in rule must catch. */
const EXAMPLES: Record<string, string[]> = {
  'registry-auth': [
    'npm ERR! code E403',
    'npm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/@acme%2fapi - You do not have permission to publish "@acme/api".',
    'npm error code E401',
    'ERROR: HTTP error 403 while getting https://pypi.example.com/simple/foo/',
    "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://pypi.example.com/simple/",
    'denied: permission_denied: write_package',
    'unauthorized: authentication required',
    'Error response from daemon: pull access denied for acme/api, repository does not exist or may require \'docker login\': denied: requested access to the resource is denied',
    'An error occurred (AccessDenied) when calling the PutObject operation: Access Denied',
    'ERROR: (gcloud.run.deploy) PERMISSION_DENIED: Permission \'run.services.update\' denied on resource',
    "(AuthorizationFailed) The client 'x' with object id 'y' does not have authorization to perform action",
    'Error from server (Forbidden): deployments.apps "api" is forbidden: User "ci" cannot patch resource',
    'git@github.com: Permission denied (publickey).',
    "fatal: unable to access 'https://github.com/acme/api/': The requested URL returned error: 403",
    'remote: Permission to acme/api.git denied to github-actions[bot].',
  ],
  'tls-certificate': [
    'npm error code CERT_HAS_EXPIRED',
    'npm ERR! request to https://registry.example.com/x failed, reason: certificate has expired',
    'Error: x509: certificate signed by unknown authority',
    'Get "https://registry.example.com/v2/": x509: certificate has expired or is not yet valid: current time 2026-12-01T03:12:44Z is after 2026-11-30T23:59:59Z',
    "tls: failed to verify certificate: x509: certificate is valid for *.example.org, not api.example.com",
    'curl: (60) SSL certificate problem: unable to get local issuer certificate',
    "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)",
    "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: api.example.com. is not in the cert's altnames: DNS:*.example.org",
    'npm ERR! code SELF_SIGNED_CERT_IN_CHAIN',
    'npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  ],
  'permission-denied': [
    "Error: EACCES: permission denied, mkdir '/usr/lib/node_modules/x'",
    'Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
    "PermissionError: [Errno 13] Permission denied: '/var/log/app.log'",
    '/home/runner/work/_temp/8c1f.sh: line 3: ./deploy.sh: Permission denied',
    "Error: EPERM: operation not permitted, unlink '/srv/app/current'",
    "chmod: changing permissions of '/srv/app': Operation not permitted",
  ],
  'out-of-memory': [
    '##[error]Process completed with exit code 137.',
    'ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 137',
    'api-7d9c5 0/1 OOMKilled 3 2m',
    'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    'MemoryError: Unable to allocate 2.00 GiB for an array',
    '/home/runner/work/_temp/1.sh: line 1:  2345 Killed                  node build.js',
    'Killed',
  ],
  'disk-full': ['OSError: [Errno 28] No space left on device', 'npm ERR! code ENOSPC', 'write /var/lib/docker/tmp/x: no space left on device: Disk quota exceeded'],
  'pod-failure': ['api-7d9c5-x2 0/1 ImagePullBackOff 0 3m', 'Warning Failed kubelet Error: ErrImagePull', 'api-6b7 0/1 CrashLoopBackOff 5 4m'],
  'rollout-timeout': ['error: deployment "api" exceeded its progress deadline', 'Error: UPGRADE FAILED: timed out waiting for the condition'],
  'port-in-use': ['Error: listen EADDRINUSE: address already in use :::3000', 'OSError: [Errno 98] Address already in use', 'listen tcp :8080: bind: address already in use', 'Error response from daemon: driver failed programming external connectivity: Bind for 0.0.0.0:80 failed: port is already allocated'],
  'module-not-found': ["ModuleNotFoundError: No module named 'requests'", "Error: Cannot find module 'express'", 'Error [ERR_MODULE_NOT_FOUND]: Cannot find package \'zod\''],
  'invalid-package-config': ['npm ERR! Invalid package config /home/runner/.npm/_cacache/x.'],
  'version-not-found': ['npm ERR! code ETARGET', 'npm ERR! notarget No matching version found for left-pad@^9.0.0.', 'ERROR: No matching distribution found for requests==99.0'],
  'registry-5xx': ['npm ERR! code E503', 'npm ERR! 502 Bad Gateway - GET https://registry.npmjs.org/react', 'failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/x: 503 Service Unavailable', 'ERROR: HTTP error 500 while getting https://files.pythonhosted.org/x', 'received unexpected HTTP status: 500 Internal Server Error'],
  'rate-limited': ['toomanyrequests: You have reached your pull rate limit.', 'HttpError: API rate limit exceeded for installation ID 1'],
  'dns-failure': ['npm ERR! code ENOTFOUND', 'getaddrinfo EAI_AGAIN registry.npmjs.org', 'curl: (6) Could not resolve host: example.com', 'dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host', 'socket.gaierror: [Errno -3] Temporary failure in name resolution'],
  'connection-failure': ['npm ERR! code ECONNRESET', 'npm ERR! network request to https://registry.npmjs.org/x failed, reason: connect ETIMEDOUT 104.16.0.35:443', "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.", 'read tcp 10.1.0.4:443: read: connection reset by peer', 'net/http: TLS handshake timeout', 'dial tcp 10.0.0.1:5432: i/o timeout', 'connect ECONNREFUSED 127.0.0.1:8080'],
  'database-connection': [
    'Error: connect ECONNREFUSED 127.0.0.1:5432',
    'psycopg2.OperationalError: connection to server at "db.internal" (10.0.0.5), port 5432 failed: Connection refused',
    'psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  sorry, too many clients already',
    'could not connect to server: Connection refused',
    'FATAL:  remaining connection slots are reserved for non-replication superuser connections',
    "ERROR 2003 (HY000): Can't connect to MySQL server on 'db:3306' (111)",
    'ERROR 1040 (HY000): Too many connections',
    'SQLSTATE[HY000] [2002] Connection refused',
    'Error: P1001: Can\'t reach database server at `db:5432`',
    'MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27017',
    '[ioredis] Unhandled error event: Error: connect ECONNREFUSED 127.0.0.1:6379',
    'Could not connect to Redis at 127.0.0.1:6379: Connection refused',
    'redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused.',
    'ERR max number of clients reached',
    'dial tcp 10.0.0.7:5432: connect: connection refused',
  ],
  'runner-lost': ['##[error]The operation was canceled.', 'The runner has received a shutdown signal. This can happen when the runner service is stopped.', 'The hosted runner: GitHub Actions 12 lost communication with the server.', 'The job running on runner GitHub Actions 3 has exceeded the maximum execution time of 360 minutes.'],
  'test-failures': ['Tests:       2 failed, 40 passed, 42 total', 'FAIL src/api.test.ts', ' FAIL  src/api.test.ts (5.2 s)', 'FAILED tests/test_api.py::test_login - AssertionError: assert 500 == 200', '--- FAIL: TestLogin (0.01s)', '      Tests  2 failed | 40 passed (42)', '=================================== FAILURES ==================================='],
  'lint-failures': ['✖ 3 problems (3 errors, 0 warnings)', 'src/a.ts(1,7): error TS2322: Type \'string\' is not assignable to type \'number\'.', 'Found 4 errors.', '[warn] Code style issues found in 2 files. Run Prettier to fix.'],
  'workflow-configuration': ['##[error]Input required and not supplied: token', 'Error: Unable to resolve action `acme/deploy@v9`, unable to find version `v9`'],
  'migration-failure': ['Migration failed: relation "users" already exists', 'ActiveRecord::PendingMigrationError'],
  'merge-conflict': ['CONFLICT (content): Merge conflict in src/api.ts', 'Automatic merge failed; fix conflicts and then commit the result.'],
};

/** Lines that look close but must not be classified. */
const NOT_MATCHING = [
  'Tests:       42 passed, 42 total',
  'found 0 vulnerabilities',
  'npm warn deprecated inflight@1.0.6: This module is not supported',
  'Run actions/checkout@v4',
  'Killed 3 stale processes before starting',
  '##[error]Process completed with exit code 1.',
  'added 1234 packages in 22s',
  'No errors found. 0 problems',
  'GET /health 200 OK in 12 ms',
  'Compiled successfully in 3.2s',
];

describe('built-in rules', () => {
  it('covers every category of the seed taxonomy', () => {
    expect(new Set(BUILTIN_RULES.map((r) => r.category))).toEqual(
      new Set(['infrastructure', 'configuration', 'dependency', 'resource', 'application', 'data', 'database', 'security', 'network', 'timing', 'human-error']),
    );
  });

  for (const rule of BUILTIN_RULES) {
    it(`${rule.id}: catches its examples, and every match contains one of its needles`, () => {
      const examples = EXAMPLES[rule.id];
      expect(examples, `add examples for ${rule.id}`).toBeDefined();
      for (const line of examples!) {
        // The needle search is what lets a 50 MB log be scanned quickly; a pattern match without a
        // needle would be missed in a real scan. Check both, then a real scan of the line.
        expect(rule.pattern ? rule.pattern.test(line) : true, `${rule.id} pattern: ${line}`).toBe(true);
        expect(rule.needles.some((n) => line.includes(n)), `${rule.id} needle: ${line}`).toBe(true);
        const c = one(`setup\n${TS}${line}\ndone\n`);
        expect(c.rule?.id, line).toBe(rule.id);
        expect(c).toMatchObject({ category: rule.category, severity: rule.severity, action: rule.action, line: 2 });
      }
    });
  }

  it('leaves look-alike lines unclassified', () => {
    for (const line of NOT_MATCHING) expect(one(`${line}\n`).matched, line).toBe(false);
  });

  it('is deterministic about overlapping signals: the rule ranked first wins', () => {
    // A 403 during an install that also timed out is a person's job; a test that failed because a host did not resolve is a network failure.
    expect(one('npm ERR! code ETIMEDOUT\nnpm ERR! code E403\n').rule?.id).toBe('registry-auth');
    expect(one('Tests:       1 failed, 3 total\ngetaddrinfo ENOTFOUND db.internal\n').rule?.id).toBe('dns-failure');
    expect(one('Killed\n##[error]The operation was canceled.\n').rule?.id).toBe('out-of-memory');
    // An SSH key refused by git is an authentication failure; a file the runner may not write is configuration.
    expect(one("cp: cannot create regular file '/etc/x': Permission denied\ngit@github.com: Permission denied (publickey).\n").rule?.id).toBe('registry-auth');
    // A refused database connection is the database's, not the network's; a refused web port stays generic.
    expect(one('connect ECONNREFUSED 10.0.0.9:8080\nconnect ECONNREFUSED 10.0.0.5:3306\n').rule?.id).toBe('database-connection');
    expect(one('connect ECONNREFUSED 10.0.0.9:8080\n').rule?.id).toBe('connection-failure');
  });
});

describe('precedence', () => {
  const policy = compiled({
    rules: [
      { name: 'flaky staging', pattern: 'staging-db: connection reset', category: 'network', severity: 'low', action: 'rerun' },
      { name: 'migrations', pattern: 'migration \\S+ failed', category: 'data', severity: 'high', action: 'escalate', job: '^deploy' },
    ],
  });

  it('ranks the policy rules in their order before the built-in ones, whatever the line order', () => {
    const c = one('npm ERR! code E403\nnoise\nstaging-db: connection reset\n', policy);
    expect(c.rule).toMatchObject({ id: 'classify.rules[0]', label: 'classify.rules[0] "flaky staging"', source: 'policy', rank: 0 });
    expect(c).toMatchObject({ category: 'network', severity: 'low', action: 'rerun', line: 3 });
  });

  it('takes the first match of the winning rule, across jobs in order', () => {
    const c = classifyLogs(policy, [
      { name: 'build', log: 'ECONNRESET\n', conclusion: 'failure' },
      { name: 'deploy-eu', log: 'ok\nmigration 0042 failed\n', conclusion: 'failure' },
      { name: 'deploy-us', log: 'migration 0042 failed\n', conclusion: 'failure' },
    ]);
    expect(c).toMatchObject({ category: 'data', job: 'deploy-eu', line: 2 });
    expect(c.evidenceLines.filter((l) => l.match).map((l) => l.job)).toEqual(['deploy-eu', 'deploy-us']);
  });

  it('applies a rule with `job` only to jobs whose name matches', () => {
    const c = classifyLogs(policy, [{ name: 'test', log: 'migration 0042 failed\nECONNRESET\n', conclusion: 'failure' }]);
    expect(c.rule?.id).toBe('connection-failure');
  });

  it('skips lines matching an ignore pattern: they match nothing and are not evidence, not even context', () => {
    const c = one('warning: deprecated ECONNRESET\nstep 1\nnpm ERR! code ETARGET\n', compiled({ ignore: ['warning: deprecated'] }));
    expect(c.rule?.id).toBe('version-not-found');
    expect(c.evidence).not.toContain('deprecated');
    expect(c.evidenceLines.map((l) => l.line)).toEqual([2, 3]);
  });

  it('uses only the policy rules with defaults: false', () => {
    expect(one('npm ERR! code ETARGET\n', compiled({ defaults: false })).matched).toBe(false);
    expect(one('npm ERR! code ETARGET\n', compiled({ defaults: false, rules: [{ pattern: 'ETARGET', category: 'dependency', action: 'escalate' }] })).rule?.id).toBe('classify.rules[0]');
  });

  it('matches patterns against the tool output: no timestamp, no colours, `^` at its start', () => {
    const c = one(`${TS}\u001b[31mnpm ERR!\u001b[0m code ETARGET\n${TS}^done\n`, compiled({ rules: [{ pattern: '^npm ERR! code (ETARGET)$', category: 'dependency', action: 'escalate' }] }));
    expect(c.rule?.id).toBe('classify.rules[0]');
    expect(c.evidence).toContain('>1 | npm ERR! code ETARGET');
    expect(c.evidence).not.toContain('2026-01-14');
  });

  it('is case-sensitive, like the regular expressions people write', () => {
    expect(one('MIGRATION 1 FAILED\n', policy, 'deploy').matched).toBe(false);
  });

  it('handles patterns that cannot be searched across lines: lookarounds, backreferences, named groups', () => {
    const lookahead = compiled({ defaults: false, rules: [{ pattern: 'fatal(?!\\s)', category: 'application', action: 'escalate' }] });
    expect(one('fatal\nnext\n', lookahead).line).toBe(1);
    expect(one('fatal error\n', lookahead).matched).toBe(false);
    const refs = compiled({ defaults: false, rules: [{ pattern: '(\\w+) \\1 again', category: 'application', action: 'none' }, { pattern: '(?<x>boom) (?<y>x)', category: 'data', action: 'none' }] });
    expect(one('a\nsay say again\n', refs)).toMatchObject({ line: 2, category: 'application' });
    expect(one('boom x\n', refs).category).toBe('data');
  });

  it('reports unknown when nothing matches, and no classification evidence', () => {
    expect(one('all fine\nbut it failed\n')).toMatchObject({ matched: false, category: 'unknown', action: 'unknown', evidence: '' });
  });

  it('classifies a cancelled or timed-out job with nothing in its log as timing → rerun, below any log match', () => {
    const c = classifyLogs(DEFAULTS, [{ name: 'deploy', log: 'Deploying…\n', conclusion: 'cancelled' }]);
    expect(c).toMatchObject({ category: 'timing', action: 'rerun', rule: { id: 'job-cancelled-or-timed-out' } });
    expect(c.evidence).toContain('job "deploy" concluded cancelled');
    const both = classifyLogs(DEFAULTS, [
      { name: 'a', log: '\n', conclusion: 'timed_out' },
      { name: 'b', log: 'npm ERR! code ETARGET\n', conclusion: 'failure' },
    ]);
    expect(both.rule?.id).toBe('version-not-found');
    expect(both.evidence).not.toContain('concluded');
  });
});

describe('evidence', () => {
  const lines = (n: number, at: Record<number, string>) =>
    Array.from({ length: n }, (_, i) => at[i + 1] ?? `${TS}noise line ${i + 1}`).join('\n') + '\n';

  it('shows each match with 2 lines of context either side, merging neighbours and marking gaps', () => {
    const c = one(lines(30, { 10: 'npm ERR! code ETARGET', 12: 'npm ERR! code ETARGET', 25: 'npm ERR! code ETARGET' }));
    expect(c.evidenceLines.map((l) => `${l.match ? '>' : ''}${l.line}`)).toEqual(['8', '9', '>10', '11', '>12', '13', '14', '23', '24', '>25', '26', '27']);
    expect(c.evidence.split('\n')).toEqual([
      '── job deploy ──',
      '  8 | noise line 8',
      '  9 | noise line 9',
      '>10 | npm ERR! code ETARGET',
      ' 11 | noise line 11',
      '>12 | npm ERR! code ETARGET',
      ' 13 | noise line 13',
      ' 14 | noise line 14',
      '…',
      ' 23 | noise line 23',
      ' 24 | noise line 24',
      '>25 | npm ERR! code ETARGET',
      ' 26 | noise line 26',
      ' 27 | noise line 27',
    ]);
  });

  it('stops at 20 lines, keeping the first matches', () => {
    const at: Record<number, string> = {};
    for (let i = 5; i <= 400; i += 10) at[i] = `ECONNRESET #${i}`;
    const c = one(lines(400, at));
    expect(c.evidenceLines).toHaveLength(EVIDENCE_MAX_LINES);
    expect(c.evidenceLines[2]).toMatchObject({ line: 5, match: true });
    expect(c.line).toBe(5);
  });

  it('replaces the evidence when a higher-ranked rule matches later', () => {
    const c = one(lines(50, { 3: 'ECONNRESET', 40: 'npm ERR! code E403' }));
    expect(c.rule?.id).toBe('registry-auth');
    expect(c.evidenceLines.map((l) => l.line)).toEqual([38, 39, 40, 41, 42]);
  });

  it('never contains a secret from the log: tokens, keyed secrets and the run’s own secrets are redacted', () => {
    const canary = 'ghp_' + 'C4n4ryT0k3nV4lu3C4n4ryT0k3nV4lu3C4n4';
    const own = 'own-secret-value-9f8e7d';
    const log = lines(12, {
      4: `Authorization: Bearer ${canary}`,
      5: `npm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/x (token ${canary})`,
      6: `npm ERR! //registry.npmjs.org/:_authToken=${own} password=hunter2hunter2`,
      7: 'cc @acme/oncall',
    });
    const c = one(log, DEFAULTS, 'publish');
    expect(c.rule?.id).toBe('registry-auth');
    const out = classifyLogs(DEFAULTS, [{ name: 'publish', log, conclusion: 'failure' }], [own]);
    for (const text of [out.evidence, JSON.stringify(out.evidenceLines)]) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(own);
      expect(text).not.toContain('hunter2hunter2');
      expect(text).not.toContain('@acme/oncall');
      expect(text).toContain('[REDACTED]');
    }
  });

  it('cuts long evidence lines for display', () => {
    const c = one(`ECONNRESET ${'x'.repeat(5000)}\n`);
    expect(c.evidenceLines[0]!.text.length).toBeLessThanOrEqual(300);
    expect(c.evidenceLines[0]!.text.endsWith('…')).toBe(true);
  });
});

describe('streaming', () => {
  /** A log with matches at block edges, CRLF, a long line, and unicode. */
  const log = [
    ...Array.from({ length: 200 }, (_, i) => `${TS}step ${i} ✓ done`),
    `${TS}npm ERR! code ECONNRESET\r`,
    'tail 1',
    'tail 2 ✓',
    `${'y'.repeat(3000)} ECONNRESET`,
    ...Array.from({ length: 50 }, (_, i) => `after ${i}`),
  ].join('\n');

  it('gives the same result however the log is cut into chunks', () => {
    const whole = one(log);
    expect(whole).toMatchObject({ rule: { id: 'connection-failure' }, line: 201 });
    expect(whole.evidence).toContain('>201 | npm ERR! code ECONNRESET');
    for (const size of [1, 7, 64, 1000, 4096]) {
      const run = new RunClassifier(DEFAULTS);
      const j = run.job({ name: 'deploy', conclusion: 'failure' });
      for (let i = 0; i < log.length; i += size) j.write(log.slice(i, i + size));
      j.end();
      const r = run.result();
      expect(r.evidenceLines, `chunks of ${size}`).toEqual(whole.evidenceLines);
      expect(r.jobs[0]!.lines).toBe(254);
    }
  });

  it('stops reading once nothing later can change the result', () => {
    const at = Array.from({ length: 30 }, () => 'npm ERR! code E403').join('\n');
    const run = new RunClassifier(DEFAULTS);
    const j = run.job({ name: 'publish', conclusion: 'failure' });
    j.write(`${at}\n`);
    expect(j.done).toBe(true);
    expect(run.done).toBe(true);
    j.write('ECONNRESET\n'.repeat(1000));
    j.end();
    expect(run.result().jobs[0]).toMatchObject({ stoppedEarly: true, lines: 30 });
  });

  it('keeps reading while a higher-ranked rule could still match', () => {
    const run = new RunClassifier(DEFAULTS);
    const j = run.job({ name: 'deploy', conclusion: 'failure' });
    j.write('ECONNRESET\n'.repeat(100));
    expect(j.done).toBe(false);
    j.write('npm ERR! code E403\n');
    j.end();
    expect(run.result().rule?.id).toBe('registry-auth');
  });

  it('cuts a line longer than 256 KiB without buffering it, and counts lines right after it', () => {
    const run = new RunClassifier(DEFAULTS);
    const j = run.job({ name: 'deploy', conclusion: 'failure' });
    j.write('first\n');
    for (let i = 0; i < 10; i++) j.write('z'.repeat(MAX_LINE_CHARS / 4));
    j.write(' ECONNRESET beyond the cut\nsecond\nnpm ERR! code ETARGET\n');
    j.end();
    const r = run.result();
    expect(r).toMatchObject({ rule: { id: 'version-not-found' }, line: 4 });
  });
});

describe('invalid classify rules', () => {
  it('are all reported at once, each with its path', () => {
    const text = [
      'classify:',
      '  rules:',
      '    - pattern: "([unclosed"',
      '      category: network',
      '      action: rerun',
      '    - pattern: ok',
      '      category: weather',
      '      action: rerun',
      '    - pattern: fine',
      '      category: network',
      '      action: reboot',
      '  ignore: ["(*)"]',
    ].join('\n');
    let err: unknown;
    try {
      parsePolicy(text, '.github/recovery.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const problems = (err as UserError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^classify\.rules\[0\]\.pattern: expected a valid regular expression/);
    expect(problems[1]).toMatch(/^classify\.rules\[1\]\.category: expected one of infrastructure, .*human-error, got "weather"/);
    expect(problems[2]).toMatch(/^classify\.rules\[2\]\.action: expected one of none, rerun, recover, redeploy, escalate/);
    expect(problems[3]).toMatch(/^classify\.ignore\[0\]: expected a valid regular expression/);
    expect((err as Error).message).toMatch(/^\.github\/recovery\.yml has 4 problems:/);
  });
});
