import { z } from 'zod';
import type { PathStep } from '../decision';

/** Schema pieces for the open-issue inputs whose parsing is domain knowledge (lists, the decision path). */

/** `a, b` or one per line → distinct names, in order (case-insensitive, as GitHub compares labels and logins). */
export function splitNames(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,\n]/)) {
    const name = raw.trim();
    if (!name || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}

/** GitHub's limit on a label name. */
export const LABEL_MAX = 50;
const LABELS_HINT = `expected a comma or newline list of labels (each at most ${LABEL_MAX} characters)`;

export const labelList = () =>
  z.string().transform((text, ctx) => {
    const names = splitNames(text);
    if (!names.length || names.some((n) => n.length > LABEL_MAX)) {
      ctx.addIssue({ code: 'custom', message: LABELS_HINT });
      return z.NEVER;
    }
    return names;
  });

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const LOGINS_HINT = 'expected a comma or newline list of GitHub user names, like octocat, @hubot';

export const loginList = () =>
  z.string().transform((text, ctx) => {
    const names = splitNames(text).map((n) => n.replace(/^@/, ''));
    const bad = names.find((n) => !LOGIN.test(n));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${LOGINS_HINT}, got ${JSON.stringify(bad.slice(0, 60))}` });
      return z.NEVER;
    }
    return names;
  });

const PATH_HINT = 'expected a JSON list of {"check": "…", "result": "…"} (the decision-path output of evaluate-recovery)';
const PathStepSchema = z.object({ check: z.coerce.string(), result: z.coerce.string() });

/** JSON of `schema` in an input (another step's output), or an issue saying `hint` when it is not JSON or not of that shape. */
export function parseJsonInput<T>(text: string, schema: z.ZodType<T>, hint: string, ctx: z.RefinementCtx): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `${hint}, got text that is not JSON` });
    return z.NEVER;
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    ctx.addIssue({ code: 'custom', message: `${hint}, got JSON of another shape` });
    return z.NEVER;
  }
  return r.data;
}

/** The decision-path input: evaluate-recovery's JSON output. */
export const decisionPathJson = () => z.string().transform((text, ctx): PathStep[] => parseJsonInput(text, z.array(PathStepSchema), PATH_HINT, ctx));
