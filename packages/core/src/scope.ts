/** Scopes name independent services/environments; each keeps its own state variable. */
export const DEFAULT_SCOPE = 'default';
export const SCOPE_HINT =
  'expected a scope of letters, digits, - and _ (words joined by single separators, at most 40, starting and ending with a letter or digit), like api-prod';
// Single separators only, none at either end: a scope's variable suffix never holds `__`, which the backup
// name (backupVariableName) uses, so no scope can name another scope's backup.
const SCOPE = /^(?=.{1,40}$)[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$/;

export const isValidScope = (scope: string): boolean => SCOPE.test(scope);

/**
 * The one spelling of a scope: lowercase, `-` for `_`. Two scopes name the same state variable exactly
 * when their canonical spellings are equal, so everything keyed by a scope (its variables, the
 * workflows' concurrency groups) is keyed by this spelling. Inputs are normalised once, where they are read.
 */
export const canonicalScope = (scope: string): string => scope.toLowerCase().replace(/_/g, '-');

function suffix(scope: string): string {
  const s = canonicalScope(scope);
  return s === DEFAULT_SCOPE ? '' : `_${s.toUpperCase().replace(/-/g, '_')}`;
}

/** `default` → RECOVERY_STATE, `api-prod` → RECOVERY_STATE_API_PROD. */
export function stateVariableName(scope: string, prefix = 'RECOVERY_STATE'): string {
  return `${prefix}${suffix(scope)}`;
}

/**
 * Where `close --force` keeps an unreadable state: RECOVERY_STATE_X → RECOVERY_STATE_X__CORRUPT. The double
 * underscore is a separator no scope produces (scope x_corrupt is RECOVERY_STATE_X_CORRUPT).
 */
export const backupVariableName = (variable: string): string => `${variable}__CORRUPT`;

/** The plain variables operators set by hand; the scope's own wins over the repository-wide one. */
export function thresholdOverrideNames(scope: string): { recovery: string[]; deployment: string[] } {
  const s = suffix(scope);
  const uniq = (a: string[]) => [...new Set(a)];
  return {
    recovery: uniq([`CIRCUIT_BREAKER_THRESHOLD${s}`, 'CIRCUIT_BREAKER_THRESHOLD']),
    deployment: uniq([`DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD${s}`, 'DEPLOYMENT_CIRCUIT_BREAKER_THRESHOLD']),
  };
}
