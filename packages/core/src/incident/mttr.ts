import { z } from 'zod';
import { formatDuration } from '../duration';
import { DECISIONS } from '../policy';
import { parseJsonInput } from './inputs';

/**
 * When the recovery of an incident happened, carried from step to step and job to job (the `times`
 * output of the climb and of the redeploy, the `times` input of the redeploy and of open-issue) and
 * shown in the job summary and the incident issue: detected-at, each job's start, each rung's start and
 * end and the part of it spent verifying, recovered-at. From them, the MTTR split:
 *
 *   detection            onset → detected-at: a failed deploy run is detected when it ends (GitHub fires
 *                        workflow_run then); an outage the monitor finds, from its first failing probe
 *                        (the bad streak's start in the state) to the probe that started recovery
 *   waiting for a runner detected-at → the first job's start, and a gated job's start after the job
 *                        before it left its last rung (approval waits count here too)
 *   acting               in a job, its start → its first rung (deciding), and each rung less its verifying
 *   verifying            the health probes after each rung
 */
const iso = z.string().datetime({ offset: true });

export const RecoveryTimesSchema = z.object({
  onsetAt: iso.optional(),
  detectedAt: iso.optional(),
  /** Each recovery job's start, in order (the evaluate job, the redeploy job). */
  jobs: z.array(z.object({ job: z.string().regex(/^[a-z-]{1,40}$/), startedAt: iso })).max(4),
  rungs: z
    .array(
      z.object({
        rung: z.enum(DECISIONS),
        result: z.string().regex(/^[a-z_-]{1,20}$/),
        startedAt: iso,
        endedAt: iso,
        verifyMs: z.number().int().min(0),
        /** The job (index into `jobs`) it ran in. */
        job: z.number().int().min(0),
      }),
    )
    .max(8),
  recoveredAt: iso.optional(),
});
export type RecoveryTimes = z.infer<typeof RecoveryTimesSchema>;
export type RungTime = RecoveryTimes['rungs'][number];

export const TIMES_HINT = 'expected the times output of a recovery step (JSON: {"detectedAt", "jobs", "rungs", …})';

/** The `times` input (the times output of the step before): empty is none; anything else must be RecoveryTimes. */
export const recoveryTimesInput = () =>
  z
    .string()
    .optional()
    .transform((text, ctx): RecoveryTimes | undefined => (text?.trim() ? parseJsonInput(text, RecoveryTimesSchema, TIMES_HINT, ctx) : undefined));

export interface MttrSplit {
  /** onset → recovered-at (undefined while not recovered: `sofar` to the last rung's end instead). */
  mttrMs?: number;
  sofarMs: number;
  detectionMs: number;
  waitingMs: number;
  actingMs: number;
  verifyingMs: number;
}

const ms = (a: string | undefined, b: string | undefined) => (a && b ? Math.max(0, Date.parse(b) - Date.parse(a)) : 0);

/** The split of the time to recover; the four parts add up to the whole (to the last rung's end while not recovered). */
export function mttrSplit(t: RecoveryTimes): MttrSplit {
  const onset = t.onsetAt ?? t.detectedAt;
  const detectionMs = ms(onset, t.detectedAt);
  let waitingMs = 0;
  let actingMs = 0;
  let verifyingMs = 0;
  t.jobs.forEach((job, i) => {
    const mine = t.rungs.filter((r) => r.job === i);
    const before = i === 0 ? t.detectedAt : (t.rungs.filter((r) => r.job < i).at(-1)?.endedAt ?? t.jobs[i - 1]!.startedAt);
    waitingMs += ms(before, job.startedAt);
    if (mine[0]) actingMs += ms(job.startedAt, mine[0].startedAt);
  });
  for (const r of t.rungs) {
    const span = ms(r.startedAt, r.endedAt);
    const verify = Math.min(span, r.verifyMs);
    verifyingMs += verify;
    actingMs += span - verify;
  }
  const end = t.recoveredAt ?? t.rungs.at(-1)?.endedAt;
  return { mttrMs: t.recoveredAt ? ms(onset, t.recoveredAt) : undefined, sofarMs: ms(onset, end), detectionMs, waitingMs, actingMs, verifyingMs };
}

const hms = (at: string) => at.replace(/^\d{4}-\d\d-\d\dT/, '').replace(/(\.\d+)?Z$/, ' UTC');

/** The "Time to recover" section of the job summary and the incident issue (markdown). */
export function renderRecoveryTimes(t: RecoveryTimes | undefined): string {
  if (!t || (!t.detectedAt && t.rungs.length === 0)) return '';
  const s = mttrSplit(t);
  const rows = ['| | when |', '| --- | --- |'];
  if (t.onsetAt && t.onsetAt !== t.detectedAt) rows.push(`| first failing probe | ${t.onsetAt} |`);
  rows.push(`| detected at | ${t.detectedAt ?? 'not known'} |`);
  t.rungs.forEach((r, i) => {
    const job = t.jobs[r.job];
    const started = job && (i === 0 || t.rungs[i - 1]!.job !== r.job) ? `job \`${job.job}\` started ${hms(job.startedAt)}; ` : '';
    rows.push(`| rung ${i + 1}: \`${r.rung}\` (${r.result}) | ${started}${hms(r.startedAt)} → ${hms(r.endedAt)} (${formatDuration(ms(r.startedAt, r.endedAt))}, verifying ${formatDuration(Math.min(r.verifyMs, ms(r.startedAt, r.endedAt)))}) |`);
  });
  rows.push(`| recovered at | ${t.recoveredAt ?? 'not yet'} |`);
  const parts = `detection ${formatDuration(s.detectionMs)} + waiting for a runner ${formatDuration(s.waitingMs)} + acting ${formatDuration(s.actingMs)} + verifying ${formatDuration(s.verifyingMs)}`;
  const total = s.mttrMs !== undefined ? `**MTTR ${formatDuration(s.mttrMs)}** = ${parts}` : `**Not recovered yet; ${formatDuration(s.sofarMs)} so far** = ${parts}`;
  return ['#### Time to recover', '', rows.join('\n'), '', total].join('\n');
}
