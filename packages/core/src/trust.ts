import { sanitizeExternal } from './redact';

/** The events whose runs are acted on unless the policy's `trust.events` says otherwise. */
export const TRUSTED_EVENTS = ['push', 'workflow_dispatch'] as const;

/** A branch filter pattern as GitHub's `branches:` reads it: `*` within a path segment, `**` across segments. */
export function branchPattern(pattern: string): RegExp {
  const escape = (x: string) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern.split('**').map((part) => part.split('*').map(escape).join('[^/]*')).join('.*')}$`);
}

/** Where a failed run came from: the facts GitHub gives about it (its branch name is its author's text). */
export interface RunOrigin {
  id: number;
  event: string;
  headBranch: string | null;
  /** owner/name of the repository its code came from (a fork for a fork's pull request). */
  headRepository: string | null;
}

export interface TrustRules {
  /** Events whose runs are trusted. */
  events: readonly string[];
  /** Branch patterns whose runs are trusted (the default branch when the policy names none). */
  branches: readonly string[];
}

/**
 * Whether a failed run may be acted on: its code is this repository's, and it ran for a trusted event on a
 * trusted branch. Anything else is a run whose logs someone outside the deploy path could write.
 */
export function runTrust(run: RunOrigin, repository: string, rules: TrustRules): { trusted: true } | { trusted: false; why: string } {
  const shown = (text: string) => JSON.stringify(sanitizeExternal(text).slice(0, 80));
  if (!run.headRepository || run.headRepository.toLowerCase() !== repository.toLowerCase()) {
    return { trusted: false, why: `run ${run.id} came from ${run.headRepository ? `the fork ${sanitizeExternal(run.headRepository)}` : 'an unknown repository'}, not ${repository}` };
  }
  if (!rules.events.includes(run.event)) {
    return { trusted: false, why: `run ${run.id} was triggered by ${shown(run.event).slice(1, -1)}; trusted events: ${rules.events.join(', ')} (policy trust.events)` };
  }
  if (run.headBranch === null || !rules.branches.some((b) => branchPattern(b).test(run.headBranch!))) {
    return { trusted: false, why: `run ${run.id} ran on branch ${run.headBranch === null ? '(none)' : shown(run.headBranch)}; trusted branches: ${rules.branches.join(', ')} (policy trust.branches)` };
  }
  return { trusted: true };
}
