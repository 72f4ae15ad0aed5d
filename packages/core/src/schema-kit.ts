import { z } from 'zod';
import { DURATION_HINT, parseDuration } from './duration';

/** Building blocks for schemas whose error messages say what is accepted. */

export const wholeNumber = (min: number, max?: number) => {
  const what = max === undefined ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`;
  return z
    .union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, { message: what })], { error: what })
    .transform(Number)
    .refine((n) => Number.isInteger(n) && n >= min && (max === undefined || n <= max), { message: what });
};

export const ratio = () => {
  const what = 'expected a number from 0 to 1';
  return z
    .union([z.number(), z.string().regex(/^\s*\d*(\.\d+)?\s*$/, { message: what })], { error: what })
    .transform(Number)
    .refine((n) => n >= 0 && n <= 1, { message: what });
};

/** The longest duration a policy or an input may give: Node's timers hold at most 2^31 − 1 ms (24.8 days). */
export const MAX_DURATION_MS = 24 * 86_400_000;

/** A duration (`30s`, `5m`, `1h30m`, or seconds as a number), parsed to milliseconds, at most 24 days. */
export const duration = () =>
  z
    .union([z.string(), z.number()], { error: `expected ${DURATION_HINT}` })
    .meta({ examples: ['30s', '5m', '1h30m'] })
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}` });
        return z.NEVER;
      }
      if (ms > MAX_DURATION_MS) {
        ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, of at most 24d (a longer wait overflows the runtime's timers)` });
        return z.NEVER;
      }
      return ms;
    });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

export const bool = () => {
  const what = 'expected true or false';
  return z
    .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE'])], { error: what })
    .transform((v) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true'));
};

export const nonEmpty = (what = 'expected a non-empty text') => z.string({ error: what }).trim().min(1, { message: what });

/** A regular expression source that compiles (with the `i` flag when `flags` asks for it). */
export const regexSource = () =>
  z.string({ error: 'expected a regular expression' }).superRefine((src, ctx) => {
    try {
      new RegExp(src);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `expected a valid regular expression (${(e as Error).message})` });
    }
  });

/** `200-299,304` → list of [from, to] ranges. */
export const STATUS_HINT = 'expected HTTP status codes or ranges like 200-299,304';
export function parseStatusRanges(text: string): Array<[number, number]> | undefined {
  const out: Array<[number, number]> = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    if (from < 100 || to > 599 || to < from) return undefined;
    out.push([from, to]);
  }
  return out.length ? out : undefined;
}
export const statusRanges = () =>
  z.union([z.string(), z.number()], { error: STATUS_HINT }).meta({ examples: ['200-299,304'] }).transform((v, ctx) => {
    const r = parseStatusRanges(String(v));
    if (!r) {
      ctx.addIssue({ code: 'custom', message: STATUS_HINT });
      return z.NEVER;
    }
    return r;
  });

/**
 * A policy section: settings that each have a default, so an absent section means all the defaults.
 * Unknown keys are refused (a typo must not pass as a default).
 */
export const section = <S extends z.core.$ZodLooseShape>(shape: S, description: string) =>
  z
    .strictObject(shape)
    .prefault({} as z.input<z.ZodObject<S, z.core.$strict>>)
    .meta({ description });
