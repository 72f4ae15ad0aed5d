/**
 * `npm run demo`: plays the incident story (demo/scenario.ts) against a local GitHub API emulator and a
 * sample service, prints the timeline, writes every job summary to demo-report/index.md and index.html,
 * and exits non-zero when the story did not happen as told.
 */
import path from 'node:path';
import { REPO_ROOT } from '@recovery/testkit/harness';
import { playDemo } from './scenario';
import { writeReport } from './report';

const result = await playDemo({ print: (t) => process.stdout.write(`${t}\n`) });
const dir = path.join(REPO_ROOT, 'demo-report');
const files = writeReport(result, dir);
const secs = (result.durationMs / 1000).toFixed(1);
process.stdout.write('\n');
if (result.ok) process.stdout.write(`✅ The story happened as told, in ${secs} s: ${result.runs.length} workflow runs, ${result.runs.reduce((n, r) => n + r.requests, 0)} API requests.\n`);
else {
  process.stdout.write(`❌ The story did not happen as told (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}), in ${secs} s:\n`);
  for (const p of result.problems) process.stdout.write(`   - ${p}\n`);
}
process.stdout.write(`Report: ${path.relative(process.cwd(), files.markdown)} and ${path.relative(process.cwd(), files.html)}\n`);
process.exitCode = result.ok ? 0 : 1;
