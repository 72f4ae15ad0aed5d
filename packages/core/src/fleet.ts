import { canonicalScope, isValidScope, SCOPE_HINT } from './scope';
import type { HealthStatus } from './state';
import type { Check, Policy } from './policy';

/**
 * A fleet: the policy's services, each its own unit — its own scope (state, breaker, incident), probed
 * together by one monitor run. A policy of one service (or a `targets` input) is the single-scope case.
 */

export interface FleetService {
  name: string;
  /** Canonical scope: the policy's `scope`, or `service-<name>`. */
  scope: string;
  dependsOn: string[];
  /** Its checks, each named `<service>/<check name or index>` (as policyChecks names them). */
  checks: Check[];
}

/** The scope a service gets when the policy sets none: `service-<name>`, canonical (`.` and `_` become `-`). */
export const defaultServiceScope = (name: string): string => canonicalScope(`service-${name.replace(/\./g, '-')}`);

interface ServiceDef {
  scope?: string;
  'depends-on'?: string[];
}

/** Problems of the services map as a fleet: invalid or shared scopes, unknown or circular dependencies. */
export function fleetProblems(services: Record<string, ServiceDef>): Array<{ path: Array<string | number>; message: string }> {
  const out: Array<{ path: Array<string | number>; message: string }> = [];
  const names = Object.keys(services);
  const byScope = new Map<string, string>();
  for (const [name, def] of Object.entries(services)) {
    const scope = def.scope ?? `service-${name.replace(/\./g, '-')}`;
    if (!isValidScope(scope)) {
      out.push(
        def.scope !== undefined
          ? { path: [name, 'scope'], message: `${SCOPE_HINT}, got ${JSON.stringify(def.scope)}` }
          : { path: [name], message: `its default scope ${JSON.stringify(scope)} is not a valid scope (${SCOPE_HINT}); set services.${name}.scope` },
      );
      continue;
    }
    const other = byScope.get(canonicalScope(scope));
    if (other !== undefined) out.push({ path: [name, 'scope'], message: `expected a scope of its own, got ${JSON.stringify(canonicalScope(scope))}, which service ${other} has too` });
    else byScope.set(canonicalScope(scope), name);
    (def['depends-on'] ?? []).forEach((d, i) => {
      if (d === name) out.push({ path: [name, 'depends-on', i], message: 'expected another service, got the service itself' });
      else if (!names.includes(d)) out.push({ path: [name, 'depends-on', i], message: `expected one of the policy's services (${names.join(', ')}), got ${JSON.stringify(d)}` });
    });
  }
  // A cycle (a → b → a) would block each by the other for good.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, trail: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(n)), n];
      out.push({ path: [n, 'depends-on'], message: `expected no circular dependencies, got ${cycle.join(' → ')}` });
      return;
    }
    state.set(n, 'visiting');
    for (const d of services[n]?.['depends-on'] ?? []) if (d !== n && names.includes(d)) visit(d, [...trail, n]);
    state.set(n, 'done');
  };
  for (const n of names) visit(n, []);
  return out;
}

/** The policy's services as a fleet, in policy order. */
export function fleetServices(policy: Policy): FleetService[] {
  return Object.entries(policy.services).map(([name, def]) => ({
    name,
    scope: canonicalScope(def.scope ?? defaultServiceScope(name)),
    dependsOn: def['depends-on'],
    checks: def.checks.map((c, i) => ({ ...c, name: `${name}/${c.name ?? (def.checks.length > 1 ? String(i + 1) : 'health')}` })),
  }));
}

/**
 * Which services are blocked, and by what: a service is blocked by the first of its dependencies
 * (directly, or through the dependencies' own) that is down (unhealthy), when it is not healthy itself. A blocked service gets no
 * recovery and no incident of its own; the dependency's incident lists it.
 */
export function blockedBy(services: readonly FleetService[], status: ReadonlyMap<string, HealthStatus>): Map<string, string> {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out = new Map<string, string>();
  const downRoot = (name: string, seen: Set<string>): string | undefined => {
    for (const d of byName.get(name)?.dependsOn ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      const deeper = downRoot(d, seen);
      if (deeper) return deeper;
      if (status.get(d) === 'unhealthy') return d;
    }
    return undefined;
  };
  for (const s of services) {
    if (status.get(s.name) === 'healthy' || status.get(s.name) === undefined) continue;
    const by = downRoot(s.name, new Set([s.name]));
    if (by) out.set(s.name, by);
  }
  return out;
}

/** One service that needs recovery: an item of the `recover-matrix` output. */
export interface RecoverItem {
  service: string;
  scope: string;
  status: HealthStatus;
  reason: string;
  /** Its dependants that are down with it (comma-separated): its incident lists them. */
  blocked?: string;
}

/** The `recover-matrix` output: a matrix include list (GitHub's `strategy.matrix` shape). */
export const recoverMatrix = (items: readonly RecoverItem[]): { include: RecoverItem[] } => ({ include: [...items] });
