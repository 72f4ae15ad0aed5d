import { describe, expect, it } from 'vitest';
import { backupVariableName, canonicalScope, isValidScope, stateVariableName, thresholdOverrideNames } from '../src/scope';

/** Every string of length 1..n over the alphabet. */
function* strings(alphabet: string, n: number): Generator<string> {
  let layer = [''];
  for (let len = 1; len <= n; len++) {
    layer = layer.flatMap((s) => [...alphabet].map((c) => s + c));
    yield* layer;
  }
}

// Upper and lower case of one letter, a digit, both separators: every way two spellings can differ.
const SCOPES = [...strings('xX1-_', 5)].filter(isValidScope);

describe('scopes', () => {
  it('accept words joined by single separators, and nothing a variable suffix could confuse', () => {
    for (const ok of ['api', 'api-prod', 'api_prod', 'API-Prod', 'x_corrupt', 'a1-b2_c3', 'x'.repeat(40)]) expect(isValidScope(ok), ok).toBe(true);
    for (const bad of ['', '-api', 'api-', 'api_', 'a__b', 'a--b', 'a-_b', 'api prod', 'api.prod', 'x'.repeat(41)]) expect(isValidScope(bad), bad).toBe(false);
  });

  it('api-prod and api_prod (and API-Prod) are one canonical scope, as they are one variable', () => {
    expect(['api-prod', 'api_prod', 'API-Prod', 'Api_PROD'].map(canonicalScope)).toEqual(['api-prod', 'api-prod', 'api-prod', 'api-prod']);
    expect(stateVariableName('api_prod')).toBe('RECOVERY_STATE_API_PROD');
    expect(stateVariableName('DEFAULT')).toBe('RECOVERY_STATE');
  });

  it('two scopes name one state variable exactly when their canonical spellings are equal', () => {
    expect(SCOPES.length).toBeGreaterThan(500);
    const byVariable = new Map<string, string>();
    const byCanonical = new Map<string, string>();
    for (const s of SCOPES) {
      const v = stateVariableName(s);
      const c = canonicalScope(s);
      // Same variable → same canonical spelling (hence one concurrency group) …
      if (byVariable.has(v)) expect(c, `${s} and ${byVariable.get(v)}`).toBe(canonicalScope(byVariable.get(v)!));
      else byVariable.set(v, s);
      // … and same canonical spelling → same variable (and the same override variables).
      if (byCanonical.has(c)) {
        expect(v, `${s} and ${byCanonical.get(c)}`).toBe(stateVariableName(byCanonical.get(c)!));
        expect(thresholdOverrideNames(s)).toEqual(thresholdOverrideNames(byCanonical.get(c)!));
      } else byCanonical.set(c, s);
      // The canonical spelling is a valid scope, and canonical already.
      expect(isValidScope(c)).toBe(true);
      expect(canonicalScope(c)).toBe(c);
    }
  });

  it("a backup never has the name of any scope's state: x_corrupt is not x's backup", () => {
    expect(backupVariableName(stateVariableName('x'))).toBe('RECOVERY_STATE_X__CORRUPT');
    expect(stateVariableName('x_corrupt')).toBe('RECOVERY_STATE_X_CORRUPT');
    expect(backupVariableName(stateVariableName('default'))).toBe('RECOVERY_STATE__CORRUPT');
    expect(stateVariableName('corrupt')).toBe('RECOVERY_STATE_CORRUPT');
    const states = new Set([...SCOPES, 'corrupt', 'x_corrupt', 'x-corrupt', 'default', 'default_corrupt'].map((s) => stateVariableName(s)));
    for (const s of [...SCOPES, 'x', 'default']) expect(states.has(backupVariableName(stateVariableName(s))), s).toBe(false);
  });
});
