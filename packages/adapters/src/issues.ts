import { hasScopeMarker } from '@recovery/core';
import type { GitHub } from './client';
import { describeError, httpStatus } from './errors';
import type { RepoRef } from './variables';

/** The incident issue of a scope: found by label plus the hidden scope marker, opened, commented, closed. */

export interface IncidentIssue {
  number: number;
  url: string;
  title: string;
  createdAt: string;
  labels: string[];
  body: string;
}

export interface NewIssue {
  title: string;
  body: string;
  labels: string[];
  assignees: string[];
}

export interface CreateOptions {
  /**
   * The incident issue as it is now. A create that got no clear answer (5xx, a lost connection) may have
   * opened the issue all the same: it is looked for before the create is tried again, never retried blind.
   */
  find?: () => Promise<IncidentIssue | undefined>;
  sleep?: (ms: number) => Promise<void>;
}

/** Creates tried after a create that got no clear answer (each preceded by a look for the issue). */
const CREATE_RETRIES = 3;

/**
 * GitHub limits issue and comment text to 65,536 characters, but counts some text longer than
 * JavaScript does (multi-byte characters). Text it refuses as too long is cut to a quarter of the limit
 * (16,384 characters are at most 65,536 bytes in UTF-8), keeping the hidden markers at its end.
 */
export const SHORT_TEXT_LIMIT = 16_000;

export function shortenIssueText(text: string, limit = SHORT_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const at = text.search(/\n<!-- recovery:/);
  const tail = at >= 0 && text.length - at < limit / 4 ? text.slice(at) : '';
  const note = `\n\n> ✂️ Shortened to ${limit.toLocaleString('en-US')} characters: GitHub refused the full text as too long. The full log is in the linked run.\n`;
  let head = text.slice(0, limit - tail.length - note.length);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return `${head}${note}${tail}`;
}

/** A 422 saying the body is too long (GitHub: `{ field: 'body', code: 'custom', message: 'body is too long…' }`). */
function bodyTooLong(e: unknown): boolean {
  if (httpStatus(e) !== 422) return false;
  const data = (e as { response?: { data?: { message?: string; errors?: unknown[] } } }).response?.data;
  return /too long/i.test(JSON.stringify(data?.errors ?? data?.message ?? ''));
}

/** No clear answer: the request may or may not have been carried out. */
const unclear = (e: unknown) => {
  const s = httpStatus(e);
  return s === undefined || s >= 500;
};
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const PER_PAGE = 100;
/** The default label gets a colour and a description; others (and `flap`, added on close) get GitHub's grey. */
const KNOWN_LABELS: Record<string, { color: string; description: string }> = {
  recovery: { color: 'b60205', description: 'Incident tracked by recovery (one issue per scope)' },
};

type IssueData = { number: number; html_url: string; title: string; created_at: string; body?: string | null; labels: Array<string | { name?: string }>; pull_request?: unknown };

const labelName = (l: string | { name?: string }) => (typeof l === 'string' ? l : (l.name ?? ''));
const toIssue = (d: IssueData): IncidentIssue => ({
  number: d.number,
  url: d.html_url,
  title: d.title,
  createdAt: d.created_at,
  labels: d.labels.map(labelName).filter(Boolean),
  body: d.body ?? '',
});
const lower = (names: string[]) => new Set(names.map((n) => n.toLowerCase()));

interface AssigneeRejection {
  why: string;
  /** The login GitHub named, when it named one. */
  login?: string;
}

/** A 422 about assignees: GitHub says `{ resource: 'Issue', field: 'assignees', code: 'invalid', value }`. */
function assigneeRejection(e: unknown): AssigneeRejection | undefined {
  if (httpStatus(e) !== 422) return undefined;
  const data = (e as { response?: { data?: { message?: string; errors?: Array<{ field?: string; value?: unknown; code?: string; message?: string } | string> } } }).response?.data;
  const hit = data?.errors?.find((x) => (typeof x === 'string' ? /assignee/i.test(x) : /^assignees?$/.test(x.field ?? '')));
  if (typeof hit === 'string') return { why: hit };
  if (hit) return typeof hit.value === 'string' ? { why: hit.code ?? 'invalid', login: hit.value } : { why: hit.message ?? 'invalid assignee' };
  return /assignee/i.test(data?.message ?? '') ? { why: data!.message! } : undefined;
}

export class IssuesAdapter {
  constructor(
    private readonly gh: GitHub,
    private readonly ref: RepoRef,
    /** How long settleDuplicates waits for another writer's issue to become visible (default 1.5 s). */
    private readonly opts: { settleMs?: number } = {},
  ) {}

  private get full() {
    return `${this.ref.owner}/${this.ref.repo}`;
  }

  /**
   * The open incident issue of the scope, with ONE request: the open issues carrying the first label
   * (100 newest), pull requests dropped (the issues API lists them too), the scope marker matched. Should
   * there be several, the oldest wins, so every run comments on the same one.
   */
  async findOpenIncident(scope: string, label: string | undefined): Promise<IncidentIssue | undefined> {
    try {
      const { data } = await this.gh.rest.issues.listForRepo({ ...this.ref, state: 'open', ...(label ? { labels: label } : {}), per_page: PER_PAGE });
      const matches = (data as IssueData[]).filter((d) => !d.pull_request && hasScopeMarker(d.body, scope)).sort((a, b) => a.number - b.number);
      return matches[0] ? toIssue(matches[0]) : undefined;
    } catch (e) {
      throw describeError(e, 'issues', 'read', `list the open issues of ${this.full}`, this.full);
    }
  }

  /**
   * Creates the labels that do not exist yet (one listing request, more only past 100 labels). A label
   * created meanwhile by another run (422 already_exists) counts as there. `dryRun` only lists.
   */
  async ensureLabels(names: string[], dryRun = false): Promise<{ created: string[]; missing: string[] }> {
    const want = new Map(names.map((n) => [n.toLowerCase(), n]));
    try {
      for (let page = 1; want.size; page++) {
        const { data } = await this.gh.rest.issues.listLabelsForRepo({ ...this.ref, per_page: PER_PAGE, page });
        for (const l of data) want.delete(l.name.toLowerCase());
        if (data.length < PER_PAGE) break;
      }
    } catch (e) {
      throw describeError(e, 'issues', 'read', `list the labels of ${this.full}`, this.full);
    }
    const missing = [...want.values()];
    const created: string[] = [];
    if (dryRun) return { created, missing };
    for (const name of missing) {
      const known = KNOWN_LABELS[name.toLowerCase()];
      try {
        await this.gh.rest.issues.createLabel({ ...this.ref, name, color: known?.color ?? 'ededed', ...(known ? { description: known.description } : {}) });
        created.push(name);
      } catch (e) {
        if (httpStatus(e) === 422 && /already_exists/.test(JSON.stringify((e as { response?: { data?: unknown } }).response?.data ?? ''))) continue;
        throw describeError(e, 'issues', 'write', `create the label "${name}" in ${this.full}`, this.full);
      }
    }
    return { created, missing };
  }

  /**
   * Opens the issue. An assignee GitHub refuses (422: not a collaborator, or no such user) does not stop
   * the incident from being reported: the issue is opened without that assignee (or, when GitHub names
   * none, without assignees) and a warning says why.
   * Labels GitHub silently dropped (a token without push access) are added once more; if that fails too,
   * the warning says the next run will not find this issue.
   * A create without a clear answer is not retried blind (that opens a second issue when the first one
   * was created after all): `find` looks for it first. Text GitHub refuses as too long is shortened once.
   * `found`: the issue was there already (opened by this create before its answer was lost, or by another run).
   */
  async create(issue: NewIssue, opts: CreateOptions = {}): Promise<{ issue: IncidentIssue; warnings: string[]; found?: boolean }> {
    const warnings: string[] = [];
    const sleep = opts.sleep ?? defaultSleep;
    let body = issue.body;
    const post = (assignees: string[]) =>
      this.gh.rest.issues.create({ ...this.ref, title: issue.title, body, labels: issue.labels, ...(assignees.length ? { assignees } : {}), request: { retries: 0 } });
    // An assignee GitHub refuses is left out: first only the one it named, then all of them.
    let assignees = issue.assignees;
    const refused: string[] = [];
    let data: IssueData | undefined;
    let unclearTries = 0;
    while (!data) {
      try {
        ({ data } = await post(assignees));
      } catch (e) {
        if (bodyTooLong(e) && body === issue.body) {
          body = shortenIssueText(body, Math.min(SHORT_TEXT_LIMIT, Math.floor(body.length / 2)));
          warnings.push(`GitHub refused the issue text as too long (422): it was shortened to ${body.length.toLocaleString('en-US')} characters; the full log is in the linked run.`);
          continue;
        }
        if (unclear(e) && unclearTries < CREATE_RETRIES) {
          unclearTries++;
          await sleep(500 * 2 ** (unclearTries - 1));
          const there = await opts.find?.();
          if (there) return { issue: there, warnings, found: true };
          if (opts.find) continue;
        }
        const r = assignees.length ? assigneeRejection(e) : undefined;
        if (!r) throw describeError(e, 'issues', 'write', `open an issue in ${this.full}`, this.full);
        const named = r.login ? assignees.filter((a) => a.toLowerCase() === r.login!.toLowerCase()) : [];
        const drop = named.length && refused.length === 0 ? named : assignees;
        refused.push(`${drop.join(', ')} (${r.why})`);
        assignees = assignees.filter((a) => !drop.includes(a));
      }
    }
    if (refused.length) {
      warnings.push(
        `GitHub refused the assignee${refused.length > 1 || issue.assignees.length - assignees.length > 1 ? 's' : ''} ${refused.join('; ')}: the issue was opened ${assignees.length ? `assigned to ${assignees.join(', ')} only` : 'without assignees'}. ` +
          'Assignees must be collaborators of the repository; fix `assignees` (or `escalate.assignees` in the policy).',
      );
    }
    const got = toIssue(data);
    const have = lower(got.labels);
    const dropped = issue.labels.filter((l) => !have.has(l.toLowerCase()));
    if (dropped.length) {
      try {
        const { data: labels } = await this.gh.rest.issues.addLabels({ ...this.ref, issue_number: got.number, labels: dropped });
        got.labels = labels.map((l) => l.name);
      } catch {
        warnings.push(
          `GitHub dropped the labels ${dropped.join(', ')} from issue #${got.number} (the token has no push access) and refused to add them: ` +
            'the next run cannot find this issue by label and will open another. Use a token that can label issues.',
        );
      }
    }
    return { issue: got, warnings };
  }

  /** Adds a comment; returns its link. Text GitHub refuses as too long is shortened once (`onShortened` says so). */
  async comment(number: number, body: string, onShortened?: (warning: string) => void): Promise<string> {
    try {
      const { data } = await this.gh.rest.issues.createComment({ ...this.ref, issue_number: number, body });
      return data.html_url;
    } catch (e) {
      if (bodyTooLong(e) && onShortened) {
        const short = shortenIssueText(body, Math.min(SHORT_TEXT_LIMIT, Math.floor(body.length / 2)));
        onShortened(`GitHub refused the comment text as too long (422): it was shortened to ${short.length.toLocaleString('en-US')} characters; the full log is in the linked run.`);
        return this.comment(number, short); // once: without the callback
      }
      throw describeError(e, 'issues', 'write', `comment on issue #${number} in ${this.full}`, this.full);
    }
  }

  /**
   * Runs that open an incident at the same moment each create an issue (the issues API has no
   * create-if-absent). After creating, wait `settleMs` for the others' issues to become visible, then
   * list again: the oldest open issue of the scope is the incident. When that is not ours, ours is
   * closed as a duplicate of it (every run agrees which one is the oldest) and the incident is returned,
   * for the caller to comment on; undefined when ours is the incident.
   */
  async settleDuplicates(mine: IncidentIssue, scope: string, label: string | undefined, settleMs = this.opts.settleMs ?? 1500, sleep: (ms: number) => Promise<void> = defaultSleep): Promise<IncidentIssue | undefined> {
    await sleep(settleMs);
    const oldest = await this.findOpenIncident(scope, label);
    if (!oldest || oldest.number >= mine.number) return undefined;
    try {
      await this.gh.rest.issues.createComment({ ...this.ref, issue_number: mine.number, body: `Duplicate of #${oldest.number}: another run opened the same incident at the same moment. Updates go there.` });
      await this.gh.rest.issues.update({ ...this.ref, issue_number: mine.number, state: 'closed', state_reason: 'duplicate' });
    } catch (e) {
      throw describeError(e, 'issues', 'write', `close the duplicate issue #${mine.number} in ${this.full}`, this.full);
    }
    return oldest;
  }

  /** Closes as completed; extra labels (flap) ride on the same request. */
  /** Replaces the issue's body (the incident's "last seen" line). */
  async updateBody(number: number, body: string): Promise<void> {
    try {
      await this.gh.rest.issues.update({ ...this.ref, issue_number: number, body });
    } catch (e) {
      throw describeError(e, 'issues', 'write', `edit issue #${number} in ${this.full}`, this.full);
    }
  }

  async close(issue: IncidentIssue, addLabels: string[] = []): Promise<void> {
    const have = lower(issue.labels);
    const extra = addLabels.filter((l) => !have.has(l.toLowerCase()));
    try {
      await this.gh.rest.issues.update({
        ...this.ref,
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'completed',
        ...(extra.length ? { labels: [...issue.labels, ...extra] } : {}),
      });
    } catch (e) {
      throw describeError(e, 'issues', 'write', `close issue #${issue.number} in ${this.full}`, this.full);
    }
  }
}
