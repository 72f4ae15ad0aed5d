/**
 * docs/reliability.md is written by the matrix tests: each test file owns one section between
 * `<!-- matrix:<name> -->` and `<!-- /matrix:<name> -->`; the text around the sections is written by
 * hand. The generated text holds only what the tests assert (outcome kinds, the phrases a message must
 * contain, counts of injected faults), never timings, run ids or repository names — so it changes only
 * when an outcome changes, and a clean checkout (CI) reproduces it byte for byte.
 *
 * checkReport() compares its section with the file and fails when they differ, naming `npm run docs`;
 * only that command (RECOVERY_WRITE_DOCS=1) writes the sections. A test run never changes a document.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@recovery/testkit/harness';

export const REPORT = path.join(REPO_ROOT, 'docs/reliability.md');
export const REPORT_COMMAND = 'npm run docs';
/** Set by `npm run docs`: the matrices write their sections instead of checking them. */
const WRITE = process.env.RECOVERY_WRITE_DOCS === '1';

export type Kind = 'done' | 'warned' | 'failed';

export interface CellReport {
  kind: Kind;
  /** Phrases the message was checked to contain. */
  says: string[];
  note?: string;
  /** Requests the emulator answered with an injected status or dropped. */
  faulted: number;
  runs: number;
}

const MARK: Record<Kind, string> = { done: '✅ done', warned: '⚠️ done, warns', failed: '❌ fails, says what to do' };

const code = (s: string) => `\`${s.replace(/`/g, 'ˋ')}\``;

export function cellText(c: CellReport): string {
  const faults = c.kind === 'done' && c.faulted > 0 ? ` (${c.faulted} fault${c.faulted > 1 ? 's' : ''} ridden out)` : '';
  return `${MARK[c.kind]}${faults}`;
}

export interface FaultMatrix {
  cases: Array<{ id: string; title: string; how: string }>;
  actions: string[];
  scenarios: Array<{ action: string; does: string; counts: string }>;
  cell(caseId: string, action: string): CellReport | undefined;
  na(caseId: string, action: string): string | undefined;
}

export function renderFaultMatrix(m: FaultMatrix): string {
  const out: string[] = [];
  const total = m.cases.length * m.actions.length;
  let applicable = 0;
  const byKind: Record<Kind, number> = { done: 0, warned: 0, failed: 0 };
  for (const k of m.cases)
    for (const a of m.actions) {
      const c = m.cell(k.id, a);
      if (c) {
        applicable++;
        byKind[c.kind]++;
      }
    }
  out.push(
    `${m.cases.length} cases × ${m.actions.length} actions = ${total} cells: ${applicable} apply and pass ` +
      `(${byKind.done} done, ${byKind.warned} done with a warning, ${byKind.failed} fail with a message that says what to do), ${total - applicable} N/A.`,
    '',
    `| case | ${m.actions.map((a) => code(a)).join(' | ')} |`,
    `| --- | ${m.actions.map(() => '---').join(' | ')} |`,
  );
  for (const k of m.cases) {
    const cells = m.actions.map((a) => {
      const c = m.cell(k.id, a);
      return c ? cellText(c) : 'N/A';
    });
    out.push(`| [${k.title}](#${k.id}) | ${cells.join(' | ')} |`);
  }
  out.push('', '**What each action does in its cells**, and what is counted to prove that no change was lost or doubled:', '');
  for (const s of m.scenarios) out.push(`- ${code(s.action)}: ${s.does}; counted: ${s.counts}.`);
  out.push('');
  for (const k of m.cases) {
    out.push(`### <a id="${k.id}"></a>${k.title}`, '', `${k.how.charAt(0).toUpperCase()}${k.how.slice(1)}.`, '', '| action | outcome | the message says | note |', '| --- | --- | --- | --- |');
    for (const a of m.actions) {
      const c = m.cell(k.id, a);
      if (!c) {
        out.push(`| ${code(a)} | N/A | | ${m.na(k.id, a) ?? ''} |`);
        continue;
      }
      const says = c.says.map((p) => `“${p.replace(/\|/g, '\\|')}”`).join(', ');
      const runs = c.runs > 1 ? `${c.runs} runs` : '';
      out.push(`| ${code(a)} | ${cellText(c)} | ${says} | ${[c.note, runs].filter(Boolean).join('; ')} |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

const begin = (name: string) => `<!-- matrix:${name} -->`;
const end = (name: string) => `<!-- /matrix:${name} -->`;

/** Runs `fn` holding a lock directory: the two matrix files may finish at the same moment. */
function locked<T>(fn: () => T): T {
  const lock = `${REPORT}.lock`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) throw new Error(`${lock} is held for more than 10 s; remove it if no test run is going on`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
}

/** The report with the section's text in place (appended when the file has no such section yet). */
function withSection(text: string, name: string, body: string): string {
  const section = `${begin(name)}\n<!-- generated by \`${REPORT_COMMAND}\`: do not edit by hand -->\n\n${body}\n\n${end(name)}`;
  const i = text.indexOf(begin(name));
  const j = text.indexOf(end(name));
  return i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end(name).length) : `${text.trimEnd()}\n\n${section}\n`;
}

/** The first line where two texts part, for the failure message. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.findIndex((line, k) => line !== y[k]);
  const at = n < 0 ? x.length : n;
  return `line ${at + 1}:\n  in the file: ${y[at] ?? '(end of file)'}\n  this run:    ${x[at] ?? '(end of file)'}`;
}

/**
 * Checks the section against this run's findings and throws when it is stale. Under `npm run docs`
 * (RECOVERY_WRITE_DOCS=1) it writes the section instead.
 */
export function checkReport(name: string, body: string): void {
  if (WRITE) {
    locked(() => {
      const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
      const next = withSection(text, name, body);
      if (next !== text) writeFileSync(REPORT, next);
    });
    return;
  }
  const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
  const next = withSection(text, name, body);
  if (next !== text) {
    throw new Error(
      `docs/reliability.md (section ${name}) does not hold what this run found (${firstDifference(next, text)}). ` +
        `An outcome changed: run \`${REPORT_COMMAND}\`, review \`git diff docs/reliability.md\` and commit it if the change is meant.`,
    );
  }
}
