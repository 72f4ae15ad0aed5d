/** Scopes name independent services/environments; each keeps its own state variable. */
export const DEFAULT_SCOPE = 'default';
export const SCOPE_HINT = 'expected a scope of letters, digits, - and _ (at most 40, starting with a letter or digit), like api-prod';
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const isValidScope = (scope: string): boolean => SCOPE.test(scope);

function suffix(scope: string): string {
  return scope.toLowerCase() === DEFAULT_SCOPE ? '' : `_${scope.toUpperCase().replace(/-/g, '_')}`;
}

/** `default` → RECOVERY_STATE, `api-prod` → RECOVERY_STATE_API_PROD. */
export function stateVariableName(scope: string, prefix = 'RECOVERY_STATE'): string {
  return `${prefix}${suffix(scope)}`;
}

/** The plain variables operators set by hand; the scope's own wins over the repository-wide one. */
export function thresholdOverrideNames(scope: string): { recovery: string[]; deployment: string[] } {
  const s = suffix(scope);
  const uniq = (a: string[]) => [...new Set(a)];
  return {
    recovery: uniq([`CIRCUIT_BREAKER_THRESHOLD${s}`, 'CIRCUIT_BREAKER_THRESHOLD']),
    deployment: uniq([`DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD${s}`, 'DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD']),
  };
}
