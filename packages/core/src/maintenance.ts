import { z } from 'zod';
import { duration, nonEmpty, oneOf } from './schema-kit';

/**
 * Maintenance windows (policy `maintenance:`): weekly recurring (days, start, duration) or absolute (from,
 * to), each in its own time zone. Time-zone arithmetic uses Intl (the IANA database Node ships), no library.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_MS = 86_400_000;
/** A weekly window lasts at most a week (it would overlap its own next occurrence). */
export const MAX_WEEKLY_MS = 7 * DAY_MS;

const formats = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formats.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the time zone (IANA names like Europe/Berlin, and UTC). */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** The wall-clock time at instant `ms` in `timeZone`. */
export function wallTime(ms: number, timeZone: string): Wall {
  const p = Object.fromEntries(format(timeZone).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS.indexOf(String(p.weekday).toLowerCase().slice(0, 3) as Weekday),
  };
}

/** How far `timeZone` is ahead of UTC at instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in `timeZone`. A time a daylight-saving change skips is read with the
 * offset after the change (02:30 on a spring-forward night is 03:30); a repeated one is one of its two.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let t = asUtc - offsetAt(asUtc, timeZone);
  const again = offsetAt(t, timeZone);
  if (asUtc - again !== t) t = asUtc - again;
  return t;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d)$/;
const TIME_HINT = 'expected a time of day like 02:00 (24-hour, HH:MM)';
const LOCAL_HINT = 'expected a date and time like 2026-12-24T22:00 (in the window\'s time zone)';

const localDateTime = () =>
  z.string({ error: LOCAL_HINT }).refine((s) => {
    const m = LOCAL.exec(s.trim());
    if (!m) return false;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(y, mo - 1, d));
    return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
  }, { message: LOCAL_HINT });

export const MaintenanceWindowSchema = z
  .strictObject({
    name: nonEmpty('expected a name').optional().meta({ description: 'Shown in summaries ("held until … by maintenance window <name> because …").' }),
    reason: nonEmpty('expected a reason').optional().meta({ description: 'Why automation stands down (default: the name).' }),
    timezone: z
      .string({ error: 'expected an IANA time zone like Europe/Berlin or UTC' })
      .refine(isTimeZone, { message: 'expected an IANA time zone like Europe/Berlin or UTC' })
      .default('UTC')
      .meta({ description: 'The time zone of days, start, from and to (IANA name; default UTC). Daylight-saving changes are followed.' }),
    days: z
      .array(oneOf(WEEKDAYS), { error: `expected a list of days (${WEEKDAYS.join(', ')})` })
      .min(1, { message: 'expected at least one day' })
      .optional()
      .meta({ description: 'Weekly window: the days it starts on.' }),
    start: z.string({ error: TIME_HINT }).regex(TIME, { message: TIME_HINT }).optional().meta({ description: 'Weekly window: the time of day it starts, like 02:00.' }),
    duration: duration().optional().meta({ description: 'Weekly window: how long it lasts, like 2h (at most 7d).' }),
    from: localDateTime().optional().meta({ description: 'One-off window: its start, like 2026-12-24T22:00, in the time zone.' }),
    to: localDateTime().optional().meta({ description: 'One-off window: its end, like 2026-12-25T02:00, in the time zone.' }),
    scopes: z.array(nonEmpty('expected a scope name'), { error: 'expected a list of scopes' }).optional().meta({ description: 'Only these state scopes are held (default: every scope the policy serves).' }),
  })
  .superRefine((w, ctx) => {
    const weekly = w.days !== undefined || w.start !== undefined || w.duration !== undefined;
    const once = w.from !== undefined || w.to !== undefined;
    if (weekly === once) {
      ctx.addIssue({ code: 'custom', message: 'expected either a weekly window (days, start, duration) or a one-off window (from, to)' });
      return;
    }
    if (weekly) {
      for (const k of ['days', 'start', 'duration'] as const) if (w[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `expected ${k} (a weekly window needs days, start and duration)` });
      if (w.duration !== undefined && (w.duration <= 0 || w.duration > MAX_WEEKLY_MS)) ctx.addIssue({ code: 'custom', path: ['duration'], message: 'expected a duration of more than zero and at most 7d' });
    } else {
      for (const k of ['from', 'to'] as const) if (w[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `expected ${k} (a one-off window needs from and to)` });
      if (w.from && w.to && w.to.trim().replace(' ', 'T') <= w.from.trim().replace(' ', 'T')) ctx.addIssue({ code: 'custom', path: ['to'], message: 'expected a time after from' });
    }
  });
export type MaintenanceWindow = z.output<typeof MaintenanceWindowSchema>;

function localToInstant(text: string, timeZone: string): number {
  const m = LOCAL.exec(text.trim())!;
  return zonedInstant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), timeZone);
}

/** The occurrence of a window that contains `now`, as instants [start, end), or undefined. */
export function windowOccurrence(w: MaintenanceWindow, now: number): { start: number; end: number } | undefined {
  if (w.from && w.to) {
    const start = localToInstant(w.from, w.timezone);
    const end = localToInstant(w.to, w.timezone);
    return start <= now && now < end ? { start, end } : undefined;
  }
  if (!w.days || !w.start || w.duration === undefined) return undefined;
  const [hh, mm] = w.start.split(':').map(Number) as [number, number];
  const today = wallTime(now, w.timezone);
  const base = Date.UTC(today.year, today.month - 1, today.day);
  // An occurrence that contains now started at most 7 days ago (a window lasts at most 7 days).
  for (let back = 0; back <= 7; back++) {
    const day = new Date(base - back * DAY_MS);
    if (!w.days.includes(WEEKDAYS[day.getUTCDay()]!)) continue;
    const start = zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hh, mm, w.timezone);
    if (start <= now && now < start + w.duration) return { start, end: start + w.duration };
  }
  return undefined;
}
