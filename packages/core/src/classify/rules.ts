import type { Category, RuleAction, Severity } from '../policy';

/**
 * The built-in classification rules, in priority order (first = highest). They run after the
 * policy's own rules (unless `classify.defaults: false`).
 *
 * Order: the most conclusive signals first. Security before anything else (a 403 during a flaky
 * install is still a person's job), then resource exhaustion (an OOM kill often ends in "The operation
 * was canceled"), then the platform (Kubernetes), dependencies, the network, the runner, and only then
 * failing tests and lint (a test that fails because the database host did not resolve is a network
 * failure; one that fails on an assertion is not an outage).
 *
 * Speed: each rule lists `needles`, plain strings of which every match of its `pattern` contains at
 * least one (the unit tests check this on real lines). The classifier finds needles in large blocks of
 * the raw log with two regular expressions of literals and tests only those lines against the patterns;
 * without `pattern`, a rule is exactly "any of its needles". Needles that start with an upper-case letter
 * are searched together and cost little; each needle that starts lower-case adds to the second search,
 * so use one only when the tool prints nothing capitalised nearby. Needles must not span a colour code.
 */
export interface BuiltinRule {
  id: string;
  description: string;
  category: Category;
  severity: Severity;
  action: RuleAction;
  needles: readonly string[];
  /** Refines the needles; every match must contain one of them (checked by the unit tests). */
  pattern?: RegExp;
}

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  {
    id: 'registry-auth',
    description: '401/403 or permission denied from a package registry, container registry, git or cloud CLI',
    category: 'security',
    severity: 'high',
    action: 'escalate',
    needles: [
      'E401',
      'E403',
      'Unauthorized',
      'Forbidden',
      'HTTP error 40',
      'The requested URL returned error: 40',
      'Request failed with status code 40',
      'AccessDenied',
      'AuthorizationFailed',
      'PERMISSION_DENIED',
      // `git@github.com: Permission denied (publickey).`; other permission errors are permission-denied's.
      'Permission denied (publickey',
      'Permission to ',
      // docker push/pull: `denied: requested access to the resource is denied`, `unauthorized: authentication required`
      'denied: ',
      'unauthorized: ',
    ],
    pattern:
      /\bE40[13]\b|\b40[13] (?:Unauthorized|Forbidden)\b|Forbidden for url|\(Forbidden\)|HTTP error 40[13]\b|The requested URL returned error: 40[13]\b|Request failed with status code 40[13]\b|AccessDenied|UnauthorizedOperation|AuthorizationFailed|PERMISSION_DENIED|Permission denied \(publickey|(?<![Pp]ermission )\bdenied: |\bunauthorized: |Permission to \S+ denied/,
  },
  {
    id: 'tls-certificate',
    description: 'a TLS certificate was refused: expired, signed by an unknown authority, or issued for another host name',
    category: 'security',
    severity: 'high',
    action: 'escalate',
    needles: [
      'CERT_HAS_EXPIRED',
      'certificate has expired',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERTIFICATE_VERIFY_FAILED',
      'SSL certificate problem',
      'x509: ',
      'unable to get local issuer certificate',
      'does not match certificate',
    ],
    pattern:
      /\bCERT_HAS_EXPIRED\b|certificate has expired|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID|CERTIFICATE_VERIFY_FAILED|SSL certificate problem|x509: certificate (?:has expired|signed by unknown authority|is (?:not )?valid for|is not yet valid|relies on legacy)|unable to get local issuer certificate|does not match certificate's altnames/,
  },
  {
    id: 'permission-denied',
    description: 'the operating system refused access to a file, socket or process (EACCES, EPERM): a configuration for a person to fix',
    category: 'configuration',
    severity: 'high',
    action: 'escalate',
    needles: ['EACCES', 'EPERM', 'PermissionError', 'Permission denied', 'permission denied', 'Operation not permitted', 'operation not permitted'],
    pattern: /\bEACCES\b|\bEPERM\b|\bPermissionError\b|[Pp]ermission denied|[Oo]peration not permitted/,
  },
  {
    id: 'out-of-memory',
    description: 'killed for memory: exit code 137, OOMKilled, heap out of memory',
    category: 'resource',
    severity: 'high',
    action: 'recover',
    needles: [
      'Process completed with exit code 137',
      'exit code: 137',
      'OOMKilled',
      'JavaScript heap out of memory',
      'Reached heap limit',
      'Out of memory',
      'Cannot allocate memory',
      'ENOMEM',
      'MemoryError',
      'Killed',
    ],
    pattern:
      /Process completed with exit code 137\b|exit code: 137\b|OOMKilled|JavaScript heap out of memory|Reached heap limit|Out of memory|Cannot allocate memory|\bENOMEM\b|\bMemoryError\b|\d\s+Killed\b|^\s*Killed\s*$/,
  },
  {
    id: 'disk-full',
    description: 'no space left on the runner or in the container',
    category: 'resource',
    severity: 'high',
    action: 'recover',
    needles: ['No space left on device', 'ENOSPC', 'Disk quota exceeded'],
  },
  {
    id: 'pod-failure',
    description: 'Kubernetes pods cannot start: ImagePullBackOff, CrashLoopBackOff',
    category: 'infrastructure',
    severity: 'high',
    action: 'redeploy',
    needles: ['ImagePullBackOff', 'ErrImagePull', 'CrashLoopBackOff', 'CreateContainerConfigError', 'InvalidImageName'],
  },
  {
    id: 'rollout-timeout',
    description: '`kubectl rollout status` or helm gave up waiting for the rollout',
    category: 'infrastructure',
    severity: 'high',
    action: 'redeploy',
    needles: ['exceeded its progress deadline', 'timed out waiting for the condition'],
  },
  {
    id: 'port-in-use',
    description: 'the port is already in use',
    category: 'infrastructure',
    severity: 'medium',
    action: 'recover',
    needles: ['EADDRINUSE', 'Address already in use', 'address already in use', 'Bind for '],
    pattern: /\bEADDRINUSE\b|[Aa]ddress already in use|Bind for \S+ failed: port is already allocated/,
  },
  {
    id: 'module-not-found',
    description: 'a module is missing from the installed dependencies',
    category: 'dependency',
    severity: 'high',
    action: 'redeploy',
    needles: ['ModuleNotFoundError', 'Cannot find module', 'No module named', 'ERR_MODULE_NOT_FOUND'],
  },
  {
    id: 'invalid-package-config',
    description: 'npm read a truncated or corrupt package document from the registry',
    category: 'dependency',
    severity: 'medium',
    action: 'rerun',
    needles: ['Invalid package config'],
  },
  {
    id: 'version-not-found',
    description: 'the registry has no such version (yet)',
    category: 'dependency',
    severity: 'medium',
    action: 'rerun',
    needles: ['ETARGET', 'No matching version found for', 'No matching distribution found for', 'Could not find a version that satisfies'],
  },
  {
    id: 'registry-5xx',
    description: 'the registry answered a 5xx',
    category: 'dependency',
    severity: 'medium',
    action: 'rerun',
    needles: ['E500', 'E502', 'E503', 'E504', 'Internal Server Error', 'Bad Gateway', 'Service Unavailable', 'Gateway Time', 'HTTP error 50', 'Server Error', 'HTTP status: 5'],
    pattern:
      /\bE50[0-4]\b|\b50[0-4] (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)|HTTP error 50[0-4]\b|\b50[0-4] Server Error|HTTP status: 5\d\d\b/,
  },
  {
    id: 'database-connection',
    description: 'the database refused the connection or has no connection left: PostgreSQL, MySQL, MongoDB, Redis',
    category: 'database',
    severity: 'high',
    action: 'recover',
    needles: [
      'ECONNREFUSED',
      'connection to server',
      'could not connect to server',
      "Can't connect to",
      "Can't reach database server",
      'SQLSTATE[',
      'Too many connections',
      'too many connections',
      'too many clients already',
      'remaining connection slots',
      'MongoServerSelectionError',
      'MongoNetworkError',
      'Could not connect to Redis',
      'connecting to',
      'max number of clients reached',
      'dial tcp',
    ],
    pattern:
      /ECONNREFUSED \S*:(?:5432|3306|27017|6379)\b|connection to server (?:at|on) .*failed: (?:Connection refused|FATAL)|could not connect to server: Connection refused|Can't connect to (?:local )?MySQL server|Can't reach database server|SQLSTATE\[(?:HY000|08004|08006)\] \[(?:2002|1040|7)\]|\bToo many connections\b|too many connections for|too many clients already|remaining connection slots are reserved|MongoServerSelectionError|MongoNetworkError|Could not connect to Redis|Error \d+ connecting to \S+:6379|max number of clients reached|dial tcp \S+:(?:5432|3306|27017|6379): connect: connection refused/,
  },
  {
    id: 'rate-limited',
    description: 'a registry or API rate limit',
    category: 'network',
    severity: 'low',
    action: 'rerun',
    needles: ['Too Many Requests', 'TOOMANYREQUESTS', 'You have reached your pull rate limit', 'API rate limit exceeded'],
  },
  {
    id: 'dns-failure',
    description: 'a host name did not resolve',
    category: 'network',
    severity: 'medium',
    action: 'rerun',
    needles: ['ENOTFOUND', 'EAI_AGAIN', 'Temporary failure in name resolution', 'Could not resolve host', 'Name or service not known', 'NXDOMAIN', 'no such host'],
  },
  {
    id: 'connection-failure',
    description: 'a connection was reset, refused or timed out',
    category: 'network',
    severity: 'medium',
    action: 'rerun',
    needles: [
      'ECONNRESET',
      'ETIMEDOUT',
      'ECONNREFUSED',
      'ESOCKETTIMEDOUT',
      'Connection reset by peer',
      'connection reset by peer',
      'Connection timed out',
      'Read timed out',
      'ReadTimeoutError',
      'TLS handshake timeout',
      'i/o timeout',
      'RemoteDisconnected',
    ],
  },
  {
    id: 'runner-lost',
    description: 'the runner was lost, the job cancelled or timed out',
    category: 'timing',
    severity: 'low',
    action: 'rerun',
    needles: [
      'The runner has received a shutdown signal',
      'The self-hosted runner',
      'The hosted runner',
      'The operation was canceled',
      'The job was canceled',
      'The job running on runner',
      'The job has exceeded',
      'The action has timed out',
    ],
    pattern:
      /The runner has received a shutdown signal|The (?:self-)?hosted runner: .* lost communication with the server|The operation was canceled|The job was canceled|The job running on runner .* has exceeded the maximum execution time|The job has exceeded the maximum execution time|The action has timed out/,
  },
  {
    id: 'test-failures',
    description: 'failing tests (jest, vitest, pytest, go test): not an outage',
    category: 'application',
    severity: 'low',
    action: 'none',
    needles: ['Tests', 'Test Files', 'FAIL'],
    pattern: /\bTests:?\s+\d+ failed\b|\bTest Files\s+\d+ failed\b|^\s*FAIL\s+\S|\bFAILED \S+::|^\s*--- FAIL: |=+ FAILURES =+/,
  },
  {
    id: 'lint-failures',
    description: 'lint or type-check errors (eslint, tsc, ruff, prettier): not an outage',
    category: 'application',
    severity: 'low',
    action: 'none',
    needles: ['✖', 'error TS', 'Found ', 'Code style issues found'],
    pattern: /✖ \d+ problems? \(\d+ errors?|\berror TS\d+:|^Found \d+ errors?\b|Code style issues found/,
  },
  {
    id: 'workflow-configuration',
    description: 'the workflow or an action is misconfigured: a missing input, secret or file',
    category: 'configuration',
    severity: 'medium',
    action: 'escalate',
    needles: ['Input required and not supplied', 'Unable to resolve action', "Can't find 'action.yml'", 'Invalid workflow file', 'Unrecognized named-value', 'Missing required environment variable'],
  },
  {
    id: 'migration-failure',
    description: 'a database migration failed',
    category: 'data',
    severity: 'high',
    action: 'escalate',
    needles: ['Migration failed', 'MIGRATION FAILED', 'PendingMigrationError', 'Error: P3009', 'Error: P3018'],
  },
  {
    id: 'merge-conflict',
    description: 'a merge conflict in the deploy: a person has to resolve it',
    category: 'human-error',
    severity: 'medium',
    action: 'escalate',
    needles: ['CONFLICT (content)', 'Automatic merge failed'],
  },
];

/**
 * The last built-in rule, applied without a log line: a failed job that was cancelled or timed out
 * (the runner was lost, a concurrency group cancelled it, the timeout hit). Any log match wins over it.
 */
export const CONCLUSION_RULE = {
  id: 'job-cancelled-or-timed-out',
  description: 'a job was cancelled or timed out, and nothing in the logs says why',
  category: 'timing',
  severity: 'low',
  action: 'rerun',
} as const satisfies Omit<BuiltinRule, 'needles' | 'pattern'>;
