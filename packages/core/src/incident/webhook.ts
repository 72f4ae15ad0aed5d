import { formatDuration } from '../duration';
import { sanitizeExternal } from '../redact';
import { truncate } from '../state';

/**
 * The chat notification, in Slack's incoming-webhook format: `text` (the fallback, and all that
 * Mattermost, Rocket.Chat and simple Teams workflows show) plus `blocks` for Slack. Short on purpose: the
 * issue has the details; the message says what happened and links to it. No evidence, ever.
 */

export interface WebhookMessage {
  text: string;
  blocks: Array<
    | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
    | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  >;
}

export interface WebhookFacts {
  event: 'opened' | 'resolved';
  repo: string;
  scope: string;
  title: string;
  issueNumber: number;
  issueUrl: string;
  status?: string;
  decision?: string;
  severity?: string;
  category?: string;
  reason?: string;
  /** For resolved: the outage duration. */
  durationMs?: number;
  flap?: boolean;
  secrets?: readonly string[];
}

/**
 * Text from outside, safe in a chat message: secrets redacted, @mentions neutered (Mattermost and
 * Rocket.Chat notify on a plain `@channel`), and Slack's control characters escaped so `<!channel>` or
 * `<https://x|y>` cannot be smuggled in.
 */
export function chatText(text: string, secrets: readonly string[] = []): string {
  return sanitizeExternal(text, secrets).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\s+/g, ' ').trim();
}

/** Slack section text is limited to 3,000 characters; these messages stay far below. */
const SECTION_MAX = 2900;

export function incidentWebhookMessage(f: WebhookFacts): WebhookMessage {
  const s = f.secrets ?? [];
  const title = truncate(chatText(f.title, s), 200)!;
  const scope = chatText(f.scope);
  const repo = chatText(f.repo);
  const link = f.issueUrl.replace(/[<>|\s]/g, encodeURIComponent);
  const head =
    f.event === 'opened'
      ? `🔴 Incident opened in ${repo} (scope ${scope}): ${title}`
      : `✅ Incident resolved in ${repo} (scope ${scope}) after ${formatDuration(f.durationMs ?? 0)}${f.flap ? ' (flap)' : ''}: ${title}`;
  const facts = [
    f.status && `status *${chatText(f.status)}*`,
    f.decision && `decision *${chatText(f.decision)}*`,
    f.category && f.category !== 'unknown' && `category *${chatText(f.category)}*`,
    f.severity && `severity *${chatText(f.severity)}*`,
  ].filter(Boolean) as string[];
  const reason = f.reason ? truncate(chatText(f.reason, s), 300)! : '';
  const blocks: WebhookMessage['blocks'] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${f.event === 'opened' ? '🔴 Incident opened' : `✅ Incident resolved after ${formatDuration(f.durationMs ?? 0)}`}* — <${link}|${repo}#${f.issueNumber}>\n${title}${reason ? `\n${reason}` : ''}`, SECTION_MAX)!,
      },
    },
  ];
  const context = [`scope *${scope}*`, ...facts, ...(f.flap ? ['labelled *flap* (resolved within the flap window)'] : [])].join(' · ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return { text: `${head} — ${repo}#${f.issueNumber}: ${link}`, blocks };
}
