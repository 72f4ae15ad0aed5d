import { parseState, type HealthStatus, type State } from './state';
import { applyStateChange } from './state-ops';
import type { HealthTrigger } from './health/options';

/**
 * The `vars` snapshot: the JSON of a workflow's `vars` context (`toJSON(vars)`), which the run already
 * holds for free. It is trusted for one conclusion only — a scope is healthy, has nothing open and
 * nothing to write — and everything else is read through the API.
 */
export interface VarsSnapshot {
  /** Upper-case name → value. */
  values: Map<string, string>;
  /** The last name in GitHub's order: names sorting before it were not dropped by the 256 KB rule. */
  last: string;
}

/**
 * A variable that sorts after every scope's state document (`_` sorts after letters and digits): GitHub's
 * 256 KB rule drops the variables sorting last, so when it is in `vars`, every state document that exists
 * is there too, and one that is not there does not exist. A fleet's monitor creates it once.
 */
export const STATE_END_MARKER = 'RECOVERY_STATE__END';
export const STATE_END_MARKER_VALUE = 'Marks the end of the recovery suite\'s state variables for the health monitor (keep it).';

/** Parses the input; a problem is a message naming what is accepted (never the values). */
export function parseVarsSnapshot(text: string): { ok: true; snapshot: VarsSnapshot } | { ok: false; message: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, message: 'expected the JSON of the vars context (toJSON(vars)), got text that is not JSON' };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, message: 'expected the JSON of the vars context (toJSON(vars)): an object of names to values' };
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'string') return { ok: false, message: `expected the JSON of the vars context (toJSON(vars)): every value a text, got a ${v === null ? 'null' : typeof v} for ${JSON.stringify(k)}` };
    values.set(k.toUpperCase(), v);
  }
  const last = [...values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).at(-1) ?? '';
  return { ok: true, snapshot: { values, last } };
}

/**
 * What the snapshot proves of one scope's state variable for a result of `status`:
 * - `steady`: the document is there, readable, nothing is open, and the result changes nothing in it;
 * - `absent`: the variable is not there, and a name sorting after it is, so GitHub's 256 KB rule (which
 *   drops the variables sorting last) did not drop it: the scope has no history;
 * - `unknown`: anything else — a bad result, an open incident, a change to write, a variable that may
 *   have been dropped: read it through the API.
 */
export type SnapshotSays = { says: 'steady'; state: State } | { says: 'absent' } | { says: 'unknown' };

export function snapshotSays(snapshot: VarsSnapshot | undefined, variable: string, status: HealthStatus, trigger: HealthTrigger): SnapshotSays {
  if (!snapshot || status !== 'healthy') return { says: 'unknown' };
  const raw = snapshot.values.get(variable);
  if (raw === undefined) return variable < snapshot.last ? { says: 'absent' } : { says: 'unknown' };
  const parsed = parseState(raw);
  if (!parsed.ok || parsed.state.incident) return { says: 'unknown' };
  const probe = { id: 'vars-snapshot', at: new Date(0).toISOString(), by: 'vars-snapshot', ops: [{ op: 'health' as const, status, trigger, endIncident: true }] };
  return applyStateChange(parsed.state, probe) === parsed.state ? { says: 'steady', state: parsed.state } : { says: 'unknown' };
}
