import type { Category, Policy, RuleAction, Severity } from '../policy';
import { sanitizeExternal } from '../redact';
import { BUILTIN_RULES, CONCLUSION_RULE } from './rules';

/**
 * The failure classifier: job logs in, one classification out.
 *
 * Precedence, precisely:
 *  1. Rules are ranked: the policy's `classify.rules` in their order, then the built-in rules in theirs
 *     (rules.ts; left out with `classify.defaults: false`), then the built-in "job cancelled or timed
 *     out" rule, which looks at job conclusions instead of lines.
 *  2. The highest-ranked rule that matches any line of any failed job wins, wherever that line is: a
 *     rank-1 match at the end of the last job beats a rank-5 match on the first line.
 *  3. Among the winner's matches, the first one (jobs in the order GitHub lists them, lines in order)
 *     is "the match" (job, line); its matches make the evidence, in log order.
 *  4. A rule with `job` only applies to jobs whose name matches that regular expression.
 *  5. A line that matches any `classify.ignore` pattern is skipped: it matches no rule and is never
 *     shown as evidence, not even as context.
 *
 * What a pattern sees: one line of the log, without its line break, GitHub's timestamp prefix
 * (`2024-05-01T12:00:00.1234567Z `) and ANSI colour codes — so `^` means the start of the tool's own
 * output. Patterns are case-sensitive JavaScript regular expressions. A streamed line longer than 256 KiB is
 * cut there (the rest of it is not read).
 *
 * Evidence: each matching line of the winning rule with 2 lines of context either side, at most 20
 * lines in all (the first matches win), secrets redacted and @-mentions neutered when rendered.
 *
 * How it stays fast on a 50 MB log: lines are not visited one by one. Each block of lines is searched
 * for candidates by a few regular expressions — the built-in rules' literal needles (see rules.ts) and
 * the policy's patterns combined (on cleaned text, so `^` works) — and only candidate lines are split
 * out, cleaned and tested rule by rule. Once the best possible evidence is complete, lower-ranked
 * rules are dropped from the search, and when nothing higher-ranked remains the scan stops early.
 */

export const EVIDENCE_MAX_LINES = 20;
export const CONTEXT_LINES = 2;
/** Longer lines are cut here (the rest of the line is not read). */
export const MAX_LINE_CHARS = 256 * 1024;
/** Evidence lines are shown up to this many characters. */
export const EVIDENCE_LINE_CHARS = 300;
/** Kept per evidence line before redaction (longer than shown, so a secret cut by the display limit is still whole when redacted). */
const EVIDENCE_KEEP_CHARS = 2000;

export interface CompiledRule {
  /** Rank: 0 is the highest. */
  rank: number;
  source: 'policy' | 'builtin';
  /** `classify.rules[0]` or the built-in id. */
  id: string;
  /** How people see it: `classify.rules[0] "flaky staging"` or `built-in rule version-not-found`. */
  label: string;
  description?: string;
  category: Category;
  severity: Severity;
  action: RuleAction;
  /** The policy rule's own re-run budget (classify.rules[].max-reruns), in place of recovery.max-reruns. */
  maxReruns?: number;
  /** Tests one clean line. */
  test: RegExp;
  /** For the candidate search (built-in rules). */
  needles?: readonly string[];
  /** Rules whose pattern cannot be searched across line breaks (negative lookarounds), tested line by line. */
  lineByLine: boolean;
  /** Rules with backreferences or named groups are searched on their own (they cannot be combined). */
  standalone: boolean;
  job?: RegExp;
}

export interface CompiledClassifier {
  rules: CompiledRule[];
  /** Each tested on its own (combining would renumber backreferences). */
  ignore: RegExp[];
  /** Whether the built-in job-conclusion rule applies (with the defaults). */
  conclusionRule: boolean;
}

const escapeLiteral = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Compiles the policy's classify section once. The policy schema has already checked every pattern
 * compiles (invalid rules are reported all at once when the policy is read).
 */
export function compileClassifier(classify: Policy['classify']): CompiledClassifier {
  const rules: CompiledRule[] = [];
  classify.rules.forEach((r, i) => {
    const id = `classify.rules[${i}]`;
    rules.push({
      rank: rules.length,
      source: 'policy',
      id,
      label: r.name ? `${id} "${r.name}"` : id,
      category: r.category,
      severity: r.severity,
      action: r.action,
      maxReruns: r['max-reruns'],
      test: new RegExp(r.pattern),
      lineByLine: /\(\?<?!/.test(r.pattern),
      standalone: /\\[1-9]|\\k<|\(\?<[A-Za-z_$]/.test(r.pattern),
      job: r.job === undefined ? undefined : new RegExp(r.job),
    });
  });
  if (classify.defaults) {
    for (const b of BUILTIN_RULES) {
      rules.push({
        rank: rules.length,
        source: 'builtin',
        id: b.id,
        label: `built-in rule ${b.id}`,
        description: b.description,
        category: b.category,
        severity: b.severity,
        action: b.action,
        test: b.pattern ?? new RegExp(b.needles.map(escapeLiteral).join('|')),
        needles: b.needles,
        lineByLine: false,
        standalone: false,
      });
    }
  }
  return {
    rules,
    ignore: classify.ignore.map((p) => new RegExp(p)),
    conclusionRule: classify.defaults,
  };
}

export interface EvidenceLine {
  job: string;
  /** 1-based line number in the job's log. */
  line: number;
  text: string;
  /** A line the rule matched (otherwise context). */
  match: boolean;
}

export interface JobReport {
  name: string;
  id?: number;
  conclusion?: string | null;
  /** Characters and lines read from its log. */
  chars: number;
  lines: number;
  /** The scan stopped before the end because nothing later could change the result. */
  stoppedEarly: boolean;
  /** The log could not be read (fully); why. */
  problem?: string;
}

export interface Classification {
  matched: boolean;
  category: Category | 'unknown';
  severity: Severity;
  /** What the matched rule suggests; `unknown` when nothing matched. */
  action: RuleAction | 'unknown';
  rule?: { id: string; label: string; source: 'policy' | 'builtin'; rank: number; description?: string; maxReruns?: number };
  /** Where the first match of the winning rule is. */
  job?: string;
  line?: number;
  /** Rendered evidence, redacted; '' when nothing matched. */
  evidence: string;
  evidenceLines: EvidenceLine[];
  jobs: JobReport[];
}

interface Best {
  rank: number;
  rule: CompiledRule | typeof CONCLUSION_RULE;
  job: string;
  line: number;
}

// GitHub's timestamp prefix, ANSI escape sequences and carriage returns before a line break.
const CLEAN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z |\u001b\[[0-9;?]*[A-Za-z]|\r(?=\n|$)/gm;
/** A line (or block of lines) as patterns see it. */
export const cleanLogText = (text: string): string => text.replace(CLEAN, '');

/**
 * Classifies the failed jobs of one run. Feed each job's log with `job(...)` → `write(text)` … `end()`;
 * then `result()`. Memory stays small whatever the log size: the partial last line, a few context lines
 * and at most 20 evidence lines.
 */
export class RunClassifier {
  private best: Best | undefined;
  private evidence: EvidenceLine[] = [];
  private readonly reports: JobReport[] = [];

  constructor(readonly compiled: CompiledClassifier) {}

  /** Rules ranked above this one can still change the result (lower ranks cannot). */
  get limit(): number {
    if (!this.best) return Number.POSITIVE_INFINITY;
    return this.evidenceFull ? this.best.rank : this.best.rank + 1;
  }
  get evidenceFull(): boolean {
    return this.evidence.length >= EVIDENCE_MAX_LINES;
  }
  /** Nothing any further log can hold would change the result. */
  get done(): boolean {
    const limit = this.limit;
    return !this.compiled.rules.some((r) => r.rank < limit);
  }

  /** Starts a job's log. Its conclusion feeds the cancelled/timed-out rule. */
  job(info: { name: string; id?: number; conclusion?: string | null }): JobScanner {
    const report: JobReport = { name: info.name, id: info.id, conclusion: info.conclusion, chars: 0, lines: 0, stoppedEarly: false };
    this.reports.push(report);
    if (this.compiled.conclusionRule && (info.conclusion === 'cancelled' || info.conclusion === 'timed_out')) {
      const rank = this.compiled.rules.length;
      if (!this.best || rank < this.best.rank) {
        this.best = { rank, rule: CONCLUSION_RULE, job: info.name, line: 0 };
        this.evidence = [{ job: info.name, line: 0, text: `job "${info.name}" concluded ${info.conclusion}`, match: true }];
      }
    }
    return new JobScanner(this, report, this.compiled.rules.filter((r) => !r.job || r.job.test(info.name)));
  }

  ignored(line: string): boolean {
    return this.compiled.ignore.some((re) => re.test(line));
  }

  /** Called by a JobScanner for a line a rule matched; returns how many context lines may follow. */
  recordMatch(rule: CompiledRule, job: string, line: number, text: string, before: Array<{ line: number; text: string }>): number {
    if (!this.best || rule.rank < this.best.rank) {
      this.best = { rank: rule.rank, rule, job, line };
      this.evidence = [];
    } else if (rule.rank > this.best.rank || this.evidenceFull) {
      return 0;
    }
    const last = this.evidence.at(-1);
    const lastLine = last && last.job === job ? last.line : 0;
    const room = EVIDENCE_MAX_LINES - this.evidence.length;
    // The matched line always fits: context gives way to it.
    const fresh = before.filter((b) => b.line > lastLine);
    const ctx = room > 1 ? fresh.slice(-(room - 1)) : [];
    for (const b of ctx) this.evidence.push({ job, line: b.line, text: keep(b.text), match: false });
    if (lastLine !== line) this.evidence.push({ job, line, text: keep(text), match: true });
    return Math.min(CONTEXT_LINES, EVIDENCE_MAX_LINES - this.evidence.length);
  }

  /** Called for a context line after a match. */
  recordContext(job: string, line: number, text: string): void {
    if (this.evidenceFull) return;
    const last = this.evidence.at(-1);
    if (last && last.job === job && last.line >= line) return;
    this.evidence.push({ job, line, text: keep(text), match: false });
  }

  /** The classification; `known` are secret values to redact (besides token-like strings). */
  result(known: readonly string[] = []): Classification {
    const evidenceLines = this.evidence.map((e) => ({ ...e, text: clip(sanitizeExternal(e.text, known)) }));
    const jobs = this.reports.map((r) => ({ ...r }));
    if (!this.best) {
      return { matched: false, category: 'unknown', severity: 'medium', action: 'unknown', evidence: '', evidenceLines: [], jobs };
    }
    const r = this.best.rule;
    const isCompiled = 'rank' in r;
    return {
      matched: true,
      category: r.category,
      severity: r.severity,
      action: r.action,
      rule: isCompiled
        ? { id: r.id, label: r.label, source: r.source, rank: r.rank, description: r.description, maxReruns: r.maxReruns }
        : { id: r.id, label: `built-in rule ${r.id}`, source: 'builtin', rank: this.best.rank, description: r.description },
      job: this.best.job,
      line: this.best.line || undefined,
      evidence: renderEvidence(evidenceLines),
      evidenceLines,
      jobs,
    };
  }
}

const keep = (text: string) => (text.length > EVIDENCE_KEEP_CHARS ? text.slice(0, EVIDENCE_KEEP_CHARS) : text);
const clip = (text: string) => (text.length > EVIDENCE_LINE_CHARS ? `${text.slice(0, EVIDENCE_LINE_CHARS - 1)}…` : text);

/** Evidence as plain text: a header per job, matched lines marked with `>`, gaps with `…`. */
export function renderEvidence(lines: readonly EvidenceLine[]): string {
  const out: string[] = [];
  let job: string | undefined;
  let prev = 0;
  const width = String(Math.max(1, ...lines.map((l) => l.line))).length;
  for (const l of lines) {
    if (l.job !== job) {
      out.push(`── job ${sanitizeExternal(l.job)} ──`);
      job = l.job;
      prev = 0;
    } else if (l.line > prev + 1) {
      out.push('…');
    }
    out.push(l.line > 0 ? `${l.match ? '>' : ' '}${String(l.line).padStart(width)} | ${l.text}` : `> ${l.text}`);
    prev = l.line;
  }
  return out.join('\n');
}

interface Gates {
  limit: number;
  /** Global regular expressions whose hits are candidate positions. */
  res: RegExp[];
  /** Rules tested on every line (negative lookarounds). */
  everyLine: CompiledRule[];
  /**
   * Whether the search must see cleaned text (policy patterns: `^` and what follows the timestamp).
   * Built-in needles are found in the raw text, which saves cleaning all of it; candidate lines are
   * cleaned one by one before the patterns test them.
   */
  clean: boolean;
  /** Active rules within the limit, by rank. */
  rules: CompiledRule[];
}

/**
 * V8 rejects a position cheaply when no alternative can start with its first character; needles that
 * start with a character whose 0x20 bit is clear (upper case, `_`, `✖`) share that property and are
 * searched together, away from the lower-case ones, which would defeat it for all.
 */
const startsRare = (needle: string) => (needle.charCodeAt(0) & 0x20) === 0;

/** Scans one job's log. */
export class JobScanner {
  private carry = '';
  /** Dropping the rest of an over-long line. */
  private skipping = false;
  /** Lines completed before the current block. */
  private lineNo = 0;
  /** The last lines before the current block (for context), newest last. */
  private tail: Array<{ line: number; text: string }> = [];
  private pendingAfter = 0;
  private gates: Gates | undefined;
  private ended = false;

  constructor(
    private readonly run: RunClassifier,
    private readonly report: JobReport,
    private readonly rules: CompiledRule[],
  ) {}

  /** No further text of this job can change the result: stop reading it. */
  get done(): boolean {
    if (this.pendingAfter > 0) return false;
    const limit = this.run.limit;
    return !this.rules.some((r) => r.rank < limit);
  }

  write(text: string): void {
    if (this.ended || text === '') return;
    this.report.chars += text.length;
    if (this.done) {
      this.report.stoppedEarly = true;
      return;
    }
    let start = 0;
    if (this.skipping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      this.skipping = false;
      start = nl + 1;
    }
    const cut = text.lastIndexOf('\n');
    if (cut < start) {
      this.carry += start ? text.slice(start) : text;
      if (this.carry.length > MAX_LINE_CHARS) {
        const line = this.carry.slice(0, MAX_LINE_CHARS);
        this.carry = '';
        this.skipping = true;
        this.block(line);
      }
      return;
    }
    // The carried partial line is completed and scanned on its own, so the rest of the chunk is scanned
    // in place (a slice, not a 64 KiB copy per chunk).
    if (this.carry !== '') {
      const nl = text.indexOf('\n', start);
      this.block(this.carry + text.slice(start, nl));
      this.carry = '';
      start = nl + 1;
    }
    if (start <= cut) this.block(text.slice(start, cut));
    this.carry = text.slice(cut + 1);
  }

  end(): void {
    if (this.ended) return;
    if (this.carry !== '' && !this.done) this.block(this.carry);
    else if (this.carry !== '') this.report.stoppedEarly = true;
    this.carry = '';
    this.ended = true;
  }

  /** The log was not read at all: nothing in it could have changed the result. */
  skip(): void {
    this.report.stoppedEarly = true;
    this.ended = true;
  }

  /** Marks the log as not fully read (download failed or was cut). */
  problem(text: string): void {
    this.report.problem = text;
  }

  private gatesFor(limit: number): Gates {
    if (this.gates && this.gates.limit === limit) return this.gates;
    const rules = this.rules.filter((r) => r.rank < limit);
    const needles = new Set<string>();
    const combined: string[] = [];
    const res: RegExp[] = [];
    const everyLine: CompiledRule[] = [];
    for (const r of rules) {
      if (r.needles) for (const n of r.needles) needles.add(n);
      else if (r.lineByLine) everyLine.push(r);
      else if (r.standalone) res.push(new RegExp(r.test.source, 'gm'));
      else combined.push(`(?:${r.test.source})`);
    }
    if (combined.length) res.push(new RegExp(combined.join('|'), 'gm'));
    const rare = [...needles].filter(startsRare);
    const common = [...needles].filter((n) => !startsRare(n));
    for (const group of [rare, common]) if (group.length) res.push(new RegExp(group.map(escapeLiteral).join('|'), 'g'));
    this.gates = { limit, res, everyLine, clean: rules.some((r) => !r.needles), rules };
    return this.gates;
  }

  /** One block of whole lines (no trailing line break). */
  private block(raw: string): void {
    const clean = this.gatesFor(this.run.limit).clean;
    const text = clean ? cleanLogText(raw) : raw;
    const asSeen = clean ? (line: string) => line : cleanLogText;
    const first = this.lineNo + 1;
    // Line numbers are counted lazily, up to the positions that need them.
    let countPos = 0;
    let countLine = first;
    const lineAt = (pos: number): number => {
      for (let nl = text.indexOf('\n', countPos); nl !== -1 && nl < pos; nl = text.indexOf('\n', nl + 1)) {
        countLine++;
        countPos = nl + 1;
      }
      if (countPos < pos) countPos = pos;
      return countLine;
    };
    const lineEnd = (pos: number) => {
      const e = text.indexOf('\n', pos);
      return e === -1 ? text.length : e;
    };
    const visit = (ls: number, le: number, rules: CompiledRule[], context: boolean) => {
      const n = lineAt(ls);
      const line = asSeen(text.slice(ls, le));
      const ignored = this.run.ignored(line);
      if (!ignored) {
        for (const r of rules) {
          if (r.test.test(line)) {
            this.pendingAfter = this.run.recordMatch(r, this.report.name, n, line, this.before(text, ls, n, first, asSeen));
            return;
          }
        }
      }
      if (context) {
        if (!ignored) this.run.recordContext(this.report.name, n, line);
        this.pendingAfter--;
      }
    };

    let pos = 0;
    const hits: number[] = [];
    let gates: Gates | undefined;
    while (pos <= text.length) {
      if (this.pendingAfter > 0) {
        const end = lineEnd(pos);
        visit(pos, end, this.gatesFor(this.run.limit).rules, true);
        pos = end + 1;
        continue;
      }
      if (this.done) {
        this.report.stoppedEarly = true;
        break;
      }
      const g = this.gatesFor(this.run.limit);
      if (g !== gates) {
        gates = g;
        hits.length = 0;
      }
      let next: number;
      if (g.everyLine.length) {
        next = pos;
      } else {
        next = Number.POSITIVE_INFINITY;
        for (let i = 0; i < g.res.length; i++) {
          let h = hits[i];
          if (h === undefined || h < pos) {
            const re = g.res[i]!;
            re.lastIndex = pos;
            const m = re.exec(text);
            h = m ? m.index : Number.POSITIVE_INFINITY;
            hits[i] = h;
          }
          if (h < next) next = h;
        }
        if (next === Number.POSITIVE_INFINITY) break;
      }
      const ls = text.lastIndexOf('\n', next - 1) + 1;
      const le = lineEnd(next);
      visit(ls, le, g.rules, false);
      pos = le + 1;
    }

    const total = lineAt(text.length);
    this.report.lines += total - first + 1;
    this.lineNo = total;
    // Keep the last lines for the context of a match at the start of the next block.
    const keepTail: Array<{ line: number; text: string }> = [];
    let end = text.length;
    for (let n = total; n >= first && keepTail.length < CONTEXT_LINES; n--) {
      const s = text.lastIndexOf('\n', end - 1) + 1;
      keepTail.unshift({ line: n, text: asSeen(text.slice(s, end)) });
      end = s - 1;
    }
    this.tail = [...this.tail, ...keepTail].slice(-CONTEXT_LINES);
  }

  /** The up to 2 lines before line n (starting at ls in text), ignored lines left out. */
  private before(text: string, ls: number, n: number, first: number, asSeen: (line: string) => string): Array<{ line: number; text: string }> {
    const out: Array<{ line: number; text: string }> = [];
    let end = ls - 1;
    for (let k = n - 1; k >= n - CONTEXT_LINES && k >= 1; k--) {
      let t: string | undefined;
      if (k >= first) {
        const s = text.lastIndexOf('\n', end - 1) + 1;
        t = asSeen(text.slice(s, end));
        end = s - 1;
      } else {
        t = this.tail.find((x) => x.line === k)?.text;
      }
      if (t === undefined) break;
      if (!this.run.ignored(t)) out.unshift({ line: k, text: t });
    }
    return out;
  }
}

/** Classifies whole logs in memory (tests, replays of small logs). */
export function classifyLogs(compiled: CompiledClassifier, jobs: ReadonlyArray<{ name: string; log: string; conclusion?: string | null; id?: number }>, known: readonly string[] = []): Classification {
  const run = new RunClassifier(compiled);
  for (const j of jobs) {
    const s = run.job(j);
    s.write(j.log);
    s.end();
  }
  return run.result(known);
}
