import { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError, formatZodIssues } from './errors';
import { TRUSTED_EVENTS } from './trust';
import { fleetProblems, fleetServices } from './fleet';
import { MaintenanceWindowSchema } from './maintenance';
import { bool, duration, nonEmpty, oneOf, ratio, regexSource, section, statusRanges, wholeNumber } from './schema-kit';

export const CATEGORIES = [
  'infrastructure',
  'configuration',
  'dependency',
  'resource',
  'application',
  'data',
  'database',
  'security',
  'network',
  'timing',
  'human-error',
] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
/** What a classification suggests doing. */
export const RULE_ACTIONS = ['none', 'rerun', 'recover', 'redeploy', 'escalate'] as const;
export const DECISIONS = ['none', 'rerun', 'recover', 'redeploy', 'escalate', 'blocked'] as const;

export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type RuleAction = (typeof RULE_ACTIONS)[number];
export type Decision = (typeof DECISIONS)[number];

const URL_HINT = 'expected an http(s)://… or tcp://host:port address';
/** A GitHub environment name the store can address (at most 255 characters). */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$/;
export const checkUrl = () =>
  z.string({ error: URL_HINT }).refine(
    (u) => {
      try {
        const p = new URL(u.trim());
        if (p.protocol === 'tcp:') return Boolean(p.hostname && p.port);
        return p.protocol === 'http:' || p.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: URL_HINT },
  );

/** One health check: an HTTP(S) or TCP probe, or a command. Shared by the policy and the `targets` input. */
export const CheckSchema = z
  .strictObject({
    name: nonEmpty('expected a name').optional().meta({ description: 'Name in reports (default: the service name, or its position).' }),
    url: checkUrl().optional().meta({ description: 'http(s)://… (an HTTP request) or tcp://host:port (a connection). Exactly one of url and run.' }),
    run: nonEmpty('expected a shell command').optional().meta({ description: 'A shell command: healthy on exit 0; its output is kept for the report.' }),
    method: oneOf(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional().meta({ description: 'HTTP method (default GET).' }),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
      error: 'expected a map of header names to values',
    }).optional().meta({ description: 'Request headers. Values are masked and never printed; ${NAME} is read from the step environment (set it from a secret).' }),
    body: z.string({ error: 'expected a text body' }).optional().meta({ description: 'Request body.' }),
    timeout: duration().optional().meta({ description: 'Per-attempt timeout, like 10s (default: health.timeout).' }),
    retries: wholeNumber(0, 10).optional().meta({ description: 'Extra attempts, 0-10 (default: health.retries).' }),
    critical: bool().optional().meta({ description: 'When this check fails, the whole result is unhealthy.' }),
    'tls-min-days': wholeNumber(0, 3650).optional().meta({ description: 'https: a certificate expiring within this many days is unhealthy.' }),
    expect: z
      .strictObject({
        status: statusRanges().optional().meta({ description: 'Accepted statuses, like 200-299,304 (default: health.expect-status).' }),
        'body-contains': z.string({ error: 'expected a text' }).optional().meta({ description: 'Text the body must contain.' }),
        json: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]), {
            error: 'expected a map of dot paths to expected values',
          })
          .optional()
          .meta({ description: 'Dot paths into the JSON body and the values expected there, like status: healthy and services.database: ok.' }),
        'max-latency': duration().optional().meta({ description: 'A slower answer fails, like 2s.' }),
      })
      .optional()
      .meta({ description: 'What a passing answer looks like.' }),
  })
  .superRefine((c, ctx) => {
    if (!c.url === !c.run) ctx.addIssue({ code: 'custom', message: 'expected exactly one of url or run' });
  });
export type Check = z.output<typeof CheckSchema>;

export const RuleSchema = z.strictObject({
  name: nonEmpty('expected a rule name').optional().meta({ description: 'Shown in the decision path.' }),
  pattern: regexSource().meta({ description: 'JavaScript regular expression tested on each log line (without its timestamp and colour codes).' }),
  category: oneOf(CATEGORIES).meta({ description: 'Failure category of a match.' }),
  severity: oneOf(SEVERITIES).default('medium').meta({ description: 'Severity of a match.' }),
  action: oneOf(RULE_ACTIONS).meta({ description: 'What a match suggests: none, rerun, recover, redeploy or escalate.' }),
  job: regexSource().optional().meta({ description: 'Only jobs whose name matches this regular expression.' }),
  'max-reruns': wholeNumber(0, 49)
    .optional()
    .meta({ description: 'Re-runs of a run this rule classified, in place of recovery.max-reruns (GitHub caps a run at 50 attempts).' }),
});
export type Rule = z.output<typeof RuleSchema>;

export const StepSchema = z.strictObject({
  name: nonEmpty('expected a step name').optional().meta({ description: 'Shown in the report (fixed-by-step).' }),
  run: nonEmpty('expected a shell command').meta({ description: 'A non-destructive shell command: restart, clear a cache, reset the network.' }),
  timeout: duration().prefault('5m').meta({ description: 'The step is killed, with everything it started, after this long.' }),
  retries: wholeNumber(0, 10).prefault(2).meta({ description: 'Extra attempts when the command fails.' }),
  'retry-delay': duration().prefault('30s').meta({ description: 'Wait between attempts.' }),
});
export type RecoveryStep = z.output<typeof StepSchema>;

const TriggerSchema = z
  .strictObject({
    bad: wholeNumber(1, 50).prefault(1).meta({ description: 'Start recovery when at least this many…' }),
    of: wholeNumber(1, 50).prefault(1).meta({ description: '…of the last this many recorded results were bad.' }),
  })
  .refine((t) => t.bad <= t.of, { message: 'expected bad ≤ of' });

export const PolicySchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1 (the only policy version)' }).prefault(1).meta({ description: 'Policy format version.' }),
  services: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a service name of letters, digits, . _ -' }),
      z.strictObject({
        environment: nonEmpty().optional().meta({ description: 'The deployment environment this service runs in.' }),
        scope: nonEmpty('expected a scope like api-prod')
          .optional()
          .meta({ description: 'Its state scope (own state, breaker and incident) when the policy watches several services; default service-<name>.' }),
        'depends-on': z
          .array(nonEmpty('expected a service name'), { error: 'expected a list of service names' })
          .default([])
          .meta({ description: 'Services it needs: while one of them is down, this one is reported blocked by it, with no recovery and no incident of its own.' }),
        checks: z.array(CheckSchema, { error: 'expected a list of checks' }).min(1, { message: 'expected at least one check' }).meta({ description: 'Its health checks (used when the targets input is empty).' }),
      }),
      { error: 'expected a map of service names to their checks' },
    )
    .default({})
    .superRefine((services, ctx) => {
      for (const p of fleetProblems(services)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    })
    .meta({ description: 'Services by name, each with its health checks.' }),
  health: section(
    {
      'degraded-ratio': ratio().prefault(0.66).meta({ description: 'Share of passing checks (0-1) below which the result is unhealthy; above it, some failing is degraded.' }),
      'slow-threshold': duration().prefault('5s').meta({ description: 'A passing check slower than this makes the result degraded.' }),
      timeout: duration().prefault('10s').meta({ description: 'Per-attempt timeout.' }),
      retries: wholeNumber(0, 10).prefault(2).meta({ description: 'Extra attempts per check, with exponential back-off and jitter.' }),
      'retry-delay': duration().prefault('1s').meta({ description: 'Base of the back-off between attempts.' }),
      concurrency: wholeNumber(1, 256).prefault(32).meta({ description: 'Checks probed at once.' }),
      'expect-status': statusRanges().prefault('200-399').meta({ description: 'Accepted HTTP statuses.' }),
      trigger: TriggerSchema.prefault({}).meta({ description: 'When should-recover turns true: bad of the last of recorded results (persistent degradation).' }),
      'degraded-is-bad': bool().prefault(false).meta({ description: 'Count degraded results as bad for the trigger.' }),
    },
    'How check results add up to healthy, degraded or unhealthy.',
  ),
  breaker: section(
    {
      'recovery-threshold': wholeNumber(1, 100).prefault(3).meta({ description: 'Consecutive recovery failures that open the recovery track (variable CIRCUIT_BREAKER_THRESHOLD wins).' }),
      'deployment-threshold': wholeNumber(1, 100).prefault(5).meta({ description: 'Consecutive deployment failures that open the deployment track (variable DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD wins).' }),
      'half-open-after': duration().optional().meta({ description: 'After this long open, allow one trial (half-open). Unset: a person closes the breaker.' }),
      'success-threshold': wholeNumber(1, 20)
        .prefault(1)
        .meta({ description: 'Half-open trials that must succeed in a row to close the breaker; any failure re-opens it.' }),
    },
    'The two-track circuit breaker that stops runaway automation.',
  ),
  classify: section(
    {
      rules: z.array(RuleSchema, { error: 'expected a list of rules' }).default([]).meta({ description: 'Your rules, in order, before the built-in ones; the highest-ranked rule that matches any line wins.' }),
      ignore: z.array(regexSource(), { error: 'expected a list of regular expressions' }).default([]).meta({ description: 'Log lines matching any of these are never matched or shown.' }),
      defaults: bool().prefault(true).meta({ description: 'Apply the built-in rules after yours.' }),
    },
    'How a failed run is classified from its job logs.',
  ),
  recovery: section(
    {
      'max-parallel': wholeNumber(1, 256)
        .prefault(4)
        .meta({ description: 'A fleet: recovery runs the monitor starts at once, one per service that needs it (the others wait their turn).' }),
      'max-reruns': wholeNumber(0, 49).prefault(2).meta({ description: 'Re-runs of a failed run before moving on (GitHub caps a run at 50 attempts).' }),
      steps: z.array(StepSchema, { error: 'expected a list of steps' }).default([]).meta({ description: 'Recovery steps, run in order; health is checked after each and the first that restores it ends the list.' }),
      redeploy: section(
        {
          workflow: nonEmpty('expected a workflow file name like deploy.yml').optional().meta({ description: 'Your deploy workflow (file name); it needs a workflow_dispatch trigger. Unset: no automated redeploy.' }),
          environment: nonEmpty().optional().meta({ description: 'Deployment environment whose history gives the last good release.' }),
          ref: nonEmpty().optional().meta({ description: 'Branch to dispatch the workflow on (default: the default branch).' }),
          inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}).meta({ description: 'Inputs of the dispatch; {sha}, {ref} and {artifact} are filled from the chosen release.' }),
          timeout: duration().prefault('30m').meta({ description: 'Give up waiting for the deploy run after this long.' }),
          'verify-artifact': bool()
            .prefault(true)
            .meta({
              description:
                'Before redeploying a recorded release whose artifact is a GHCR image (ghcr.io/…, by digest or tag), check through the Packages API that it still exists, and pass over one that does not. Needs the token to read packages; without that the check is skipped, saying so.',
            }),
        },
        'Redeploying the last good release.',
      ),
    },
    'What automation may do: re-runs, recovery steps, redeploys.',
  ),
  escalate: section(
    {
      labels: z.array(nonEmpty(), { error: 'expected a list of labels' }).default(['recovery']).meta({ description: 'Labels of the incident issue (created when missing); the first one finds the open incident.' }),
      assignees: z.array(nonEmpty(), { error: 'expected a list of user names' }).default([]).meta({ description: 'People assigned to a new incident issue.' }),
      'notify-webhook-secret': nonEmpty().optional().meta({ description: 'Name of the secret holding a chat incoming-webhook URL (Slack format), for the workflows to pass as notify-webhook.' }),
      'flap-window': duration().prefault('15m').meta({ description: 'An incident resolved this soon after opening is labelled flap.' }),
      'on-critical': bool().prefault(true).meta({ description: 'Escalate critical-severity failures to a person instead of automating.' }),
    },
    'How people are told: the tracking issue and notifications.',
  ),
  artifacts: section(
    {
      'retention-days': wholeNumber(1, 90)
        .prefault(14)
        .meta({ description: 'Days the run artifact (health report, decision with its path, incident timeline) is kept; GitHub caps it at 90 unless the repository allows more.' }),
    },
    'The run artifact the reusable workflows upload from each job.',
  ),
  trust: section(
    {
      events: z
        .array(nonEmpty('expected an event name like push'), { error: 'expected a list of event names' })
        .min(1, { message: 'expected at least one event' })
        .default([...TRUSTED_EVENTS])
        .meta({ description: 'Events whose failed runs are acted on (default push, workflow_dispatch). A pull_request run prints what its author wants into its logs: never list it lightly.' }),
      branches: z
        .array(nonEmpty('expected a branch name or pattern'), { error: 'expected a list of branch names or patterns' })
        .min(1, { message: 'expected at least one branch' })
        .optional()
        .meta({ description: 'Branches whose failed runs are acted on, with * (within a segment) and ** (across) as in GitHub branch filters (default: the default branch).' }),
    },
    "Which failed runs may be acted on: anything else (another event or branch, a fork's code) gets decision none, and its logs are not read.",
  ),
  environments: z
    .record(
      z.string(),
      z.strictObject({
        'requires-approval': bool().prefault(false).meta({ description: 'Redeploys run in this GitHub environment, so its required reviewers approve them.' }),
        url: z.string().optional().meta({ description: 'Link shown in reports.' }),
      }),
    )
    .default({})
    .meta({ description: 'Deployment environments by name.' }),
  maintenance: z
    .array(MaintenanceWindowSchema, { error: 'expected a list of maintenance windows' })
    .default([])
    .meta({ description: 'Maintenance windows: while one is in force, probes run and are recorded but nothing recovers, no issue is opened and nothing is commented. Weekly (days, start, duration) or one-off (from, to), in a time zone.' }),
  state: section(
    {
      budget: wholeNumber(8, 192)
        .prefault(64)
        .meta({ description: "KB of repository variables the suite may use (every scope's state, write claims, backups, overrides). A workflow run sees at most 256 KB of organisation + repository variables and silently loses the ones sorting last; the rest is left to yours. The store compacts before it nears the budget and warns at 80%." }),
      environment: z
        .string()
        .regex(ENVIRONMENT_NAME, { message: "expected an environment name: letters, digits, spaces, '.', '_' or '-', starting with a letter or digit, at most 255 characters" })
        .optional()
        .meta({
          description:
            "Keep the state in this GitHub environment's variables instead of the repository's: they do not count toward the 256 KB a workflow run sees (GitHub allows 100 per environment; the store warns at 80). The environment must exist (no protection rules needed: the state is read and written through the API, never by a job in it), and the token needs \"Environments: read and write\". Threshold overrides stay repository variables.",
        }),
    },
    'Where the state is kept, and within what budget.',
  ),
});

/** The state store's settings from the policy. */
export const stateSettings = (p: Policy): { budgetKb: number; environment?: string } => ({ budgetKb: p.state.budget, ...(p.state.environment ? { environment: p.state.environment } : {}) });

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;

export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

/** Parses policy YAML text. Every problem is reported at once with its path; throws UserError. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e);
    throw new UserError(`${source}: not valid YAML: ${msg}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserError(`${source}: expected a map of sections (services, health, breaker, classify, recovery, escalate, artifacts, environments)`);
  }
  const result = PolicySchema.safeParse(doc);
  if (!result.success) {
    const problems = formatZodIssues(result.error, doc);
    throw new UserError(`${source} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  return result.data;
}

/** Every check of every service, each named `<service>/<check name or index>`. */
export function policyChecks(policy: Policy): Check[] {
  return fleetServices(policy).flatMap((s) => s.checks);
}
