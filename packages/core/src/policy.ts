import { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { UserError, formatZodIssues } from './errors';
import { bool, duration, nonEmpty, oneOf, ratio, regexSource, statusRanges, wholeNumber } from './schema-kit';

export const CATEGORIES = [
  'infrastructure',
  'configuration',
  'dependency',
  'resource',
  'application',
  'data',
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
    name: nonEmpty('expected a name').optional(),
    url: checkUrl().optional(),
    run: nonEmpty('expected a shell command').optional(),
    method: oneOf(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
      error: 'expected a map of header names to values',
    }).optional(),
    body: z.string({ error: 'expected a text body' }).optional(),
    timeout: duration().optional(),
    retries: wholeNumber(0, 10).optional(),
    critical: bool().optional(),
    'tls-min-days': wholeNumber(0, 3650).optional(),
    expect: z
      .strictObject({
        status: statusRanges().optional(),
        'body-contains': z.string({ error: 'expected a text' }).optional(),
        json: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]), {
            error: 'expected a map of dot paths to expected values',
          })
          .optional(),
        'max-latency': duration().optional(),
      })
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.url === !c.run) ctx.addIssue({ code: 'custom', message: 'expected exactly one of url or run' });
  });
export type Check = z.output<typeof CheckSchema>;

export const RuleSchema = z.strictObject({
  name: nonEmpty('expected a rule name').optional(),
  pattern: regexSource(),
  category: oneOf(CATEGORIES),
  severity: oneOf(SEVERITIES).default('medium'),
  action: oneOf(RULE_ACTIONS),
  job: regexSource().optional(),
});
export type Rule = z.output<typeof RuleSchema>;

export const StepSchema = z.strictObject({
  name: nonEmpty('expected a step name').optional(),
  run: nonEmpty('expected a shell command'),
  timeout: duration().default(300_000),
  retries: wholeNumber(0, 10).default(2),
  'retry-delay': duration().default(30_000),
});
export type RecoveryStep = z.output<typeof StepSchema>;

const TriggerSchema = z
  .strictObject({ bad: wholeNumber(1, 50).default(1), of: wholeNumber(1, 50).default(1) })
  .refine((t) => t.bad <= t.of, { message: 'expected bad ≤ of' });

export const PolicySchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1 (the only policy version)' }).default(1),
  services: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected a service name of letters, digits, . _ -' }),
      z.strictObject({
        environment: nonEmpty().optional(),
        checks: z.array(CheckSchema, { error: 'expected a list of checks' }).min(1, { message: 'expected at least one check' }),
      }),
      { error: 'expected a map of service names to their checks' },
    )
    .default({}),
  health: z
    .strictObject({
      'degraded-ratio': ratio().default(0.66),
      'slow-threshold': duration().default(5_000),
      timeout: duration().default(10_000),
      retries: wholeNumber(0, 10).default(2),
      'retry-delay': duration().default(1_000),
      concurrency: wholeNumber(1, 256).default(32),
      'expect-status': statusRanges().default([[200, 399]]),
      trigger: TriggerSchema.prefault({}),
      'degraded-is-bad': bool().default(false),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      'recovery-threshold': wholeNumber(1, 100).default(3),
      'deployment-threshold': wholeNumber(1, 100).default(5),
      'half-open-after': duration().optional(),
    })
    .prefault({}),
  classify: z
    .strictObject({
      rules: z.array(RuleSchema, { error: 'expected a list of rules' }).default([]),
      ignore: z.array(regexSource(), { error: 'expected a list of regular expressions' }).default([]),
      defaults: bool().default(true),
    })
    .prefault({}),
  recovery: z
    .strictObject({
      'max-reruns': wholeNumber(0, 49).default(2),
      steps: z.array(StepSchema, { error: 'expected a list of steps' }).default([]),
      redeploy: z
        .strictObject({
          workflow: nonEmpty('expected a workflow file name like deploy.yml').optional(),
          environment: nonEmpty().optional(),
          ref: nonEmpty().optional(),
          inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).default({}),
          timeout: duration().default(1_800_000),
        })
        .prefault({}),
    })
    .prefault({}),
  escalate: z
    .strictObject({
      labels: z.array(nonEmpty(), { error: 'expected a list of labels' }).default(['recovery']),
      assignees: z.array(nonEmpty(), { error: 'expected a list of user names' }).default([]),
      'notify-webhook-secret': nonEmpty().optional(),
      'flap-window': duration().default(900_000),
      'on-critical': bool().default(true),
    })
    .prefault({}),
  environments: z
    .record(
      z.string(),
      z.strictObject({
        'requires-approval': bool().default(false),
        url: z.string().optional(),
      }),
    )
    .default({}),
});

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
    throw new UserError(`${source}: expected a map of sections (services, health, breaker, classify, recovery, escalate, environments)`);
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
  const out: Check[] = [];
  for (const [service, def] of Object.entries(policy.services)) {
    def.checks.forEach((c, i) => out.push({ ...c, name: `${service}/${c.name ?? (def.checks.length > 1 ? String(i + 1) : 'health')}` }));
  }
  return out;
}
