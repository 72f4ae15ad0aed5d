import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionContext } from './context';

/**
 * The run report: the directory under RUNNER_TEMP where each action of a job leaves its part (the health
 * report, the decision with its path, the incident timeline) as JSON, for the reusable workflows to upload
 * as one run artifact per job (`path: ${{ runner.temp }}/recovery-report/`).
 */
export const RUN_REPORT_DIR = 'recovery-report';

/** Writes one part of the run report; its absolute path. `name` is a file name (no directories). */
export function writeRunReport(ctx: Pick<ActionContext, 'runnerTemp'>, name: string, data: unknown): string {
  const file = path.join(ctx.runnerTemp, RUN_REPORT_DIR, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
