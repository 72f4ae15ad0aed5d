/** What a listed workflow run needs to be told apart from others. */
export interface ListedRun {
  id: number;
  event: string;
  headBranch: string | null;
  /** ISO 8601, whole seconds as GitHub answers. */
  createdAt: string;
  /** The run's title: the workflow's `run-name` when it sets one. */
  displayTitle: string;
}

/**
 * Which of the listed runs is the one a dispatch started, when the server did not say (older GHES).
 *
 * 1. Candidates: `workflow_dispatch` runs on the dispatched branch that did not exist before the
 *    dispatch (`before`, known when the server refused the flag before anything was dispatched) and
 *    were created no earlier than the dispatch (timestamps have whole seconds; 5 s of clock skew allowed).
 * 2. A run whose title (the workflow's `run-name`, which can show its inputs) contains one of
 *    `markers` — the target sha, short sha, artifact or ref — wins over one that does not. Give the
 *    deploy workflow a `run-name` with the sha, and another person's dispatch can never be mistaken.
 * 3. Otherwise the earliest created (ties: the lower id, created first): someone else's dispatch made
 *    after ours is newer, one made before ours existed before it or falls outside the skew allowance.
 *    The caller lists once more after a settle time before trusting an unmarked pick.
 */
export function pickDispatchedRun<R extends ListedRun>(
  runs: readonly R[],
  o: { since: number; before?: ReadonlySet<number>; markers: readonly string[]; branch?: string },
): { run: R; foundBy: string; marked: boolean } | undefined {
  const earliest = Math.floor(o.since / 1000) * 1000 - 5000;
  const candidates = runs.filter(
    (r) => r.event === 'workflow_dispatch' && !o.before?.has(r.id) && (!o.branch || !r.headBranch || r.headBranch === o.branch) && Date.parse(r.createdAt) >= earliest,
  );
  if (candidates.length === 0) return undefined;
  const markers = o.markers.filter((m) => m && m.length >= 4);
  const marked = candidates.filter((r) => markers.some((m) => r.displayTitle.includes(m)));
  const pool = marked.length ? marked : candidates;
  const run = [...pool].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id)[0]!;
  const n = candidates.length;
  const foundBy = marked.length
    ? `found by its title among ${n} new workflow_dispatch run${n > 1 ? 's' : ''}`
    : n > 1
      ? `the earliest of ${n} new workflow_dispatch runs (a run-name with the sha in the deploy workflow makes this certain)`
      : 'the only new workflow_dispatch run';
  return { run, foundBy, marked: marked.length > 0 };
}
