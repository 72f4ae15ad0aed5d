/**
 * The demo's timeline: what happened, when (seconds since the demo started), each decision with its
 * reasons. Printed as it happens and kept for the report.
 */

export type EntryKind = 'act' | 'world' | 'run' | 'issue' | 'operator' | 'problem';

export interface Entry {
  /** Real ms since the demo started. */
  at: number;
  kind: EntryKind;
  title: string;
  lines: string[];
  /** Anchor of the run's section in the report. */
  ref?: string;
}

const MARK: Record<EntryKind, string> = { act: '━━', world: '🌍', run: '⚙️ ', issue: '📋', operator: '🧑', problem: '✘' };

export function formatEntry(e: Entry): string {
  if (e.kind === 'act') return `\n━━ ${e.title} ${'━'.repeat(Math.max(3, 88 - e.title.length))}\n${e.lines.map((l) => `   ${l}`).join('\n')}${e.lines.length ? '\n' : ''}`;
  const t = `${(e.at / 1000).toFixed(1)}s`.padStart(6);
  const head = `${t}  ${MARK[e.kind]} ${e.title}`;
  return [head, ...e.lines.map((l) => `           ${l}`)].join('\n');
}

export class Timeline {
  readonly entries: Entry[] = [];
  private readonly start = Date.now();

  constructor(private readonly print: (text: string) => void = () => {}) {}

  elapsed(): number {
    return Date.now() - this.start;
  }

  /** `at`: when it happened (default now), for a run the moment it started. */
  add(kind: EntryKind, title: string, lines: string[] = [], ref?: string, at = this.elapsed()): Entry {
    const e: Entry = { at, kind, title, lines: lines.filter((l) => l !== ''), ref };
    this.entries.push(e);
    this.print(formatEntry(e));
    return e;
  }

  act(title: string, ...lines: string[]): Entry {
    return this.add('act', title, lines);
  }

  text(): string {
    return this.entries.map(formatEntry).join('\n');
  }
}
