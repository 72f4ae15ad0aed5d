import { describe, expect, it } from 'vitest';
import { UserError, literalCredentials, parseProbeEnv, probeEnvMasks } from '../src';

describe('probe_env (dotenv lines)', () => {
  it('reads NAME=value lines, quoted or not, skipping blank lines and comments', () => {
    const text = '# the probes\r\nHEALTH_TOKEN=abc#def==\n\n  QUOTED = "two words" \nSINGLE=\'$NOT_EXPANDED\'\nshort=ab\n';
    expect(parseProbeEnv(text)).toEqual({ HEALTH_TOKEN: 'abc#def==', QUOTED: 'two words', SINGLE: '$NOT_EXPANDED', short: 'ab' });
    expect(parseProbeEnv('')).toEqual({});
    expect(parseProbeEnv(undefined)).toEqual({});
  });

  it('masks every value long enough to mask', () => {
    expect(probeEnvMasks({ A: 'abcd', B: 'ab' })).toEqual(['abcd']);
  });

  it.each([
    ['ghp_pastedAlone123', 'line 1: expected NAME=value'],
    ['1ABC=secret-value', 'line 1: expected NAME=value'],
    ['A B=secret-value', 'line 1: expected NAME=value'],
    ['OK=1\nOK=secret-value', 'line 2: OK is set again (first on line 1)'],
    ['ok=1\nOK=secret-value', 'line 2: OK is set again (first on line 1)'],
    ['GITHUB_TOKEN=secret-value', 'line 1: GITHUB_TOKEN is reserved'],
    ['PATH=/tmp/secret-value', 'line 1: PATH is reserved'],
    ['NODE_OPTIONS=--require=/tmp/secret-value', 'line 1: NODE_OPTIONS is reserved'],
    ['A="secret-value', 'line 1: A\'s value opens a double quote it does not close'],
    ["A='secret'value'", "line 1: A's value opens a single quote"],
    ['A=', 'line 1: A has no value'],
  ])('refuses %j naming the secret and the line, never the value', (text, says) => {
    let err: unknown;
    try {
      parseProbeEnv(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).toContain(`Invalid secret \`probe_env\`: ${says}`);
    expect(message).toContain('the lines are not shown');
    for (const secret of ['secret-value', 'ghp_pastedAlone123', "secret'value"]) expect(message).not.toContain(secret);
  });

  it('reports every bad line at once', () => {
    expect(() => parseProbeEnv('x\nA=1\ny')).toThrow('Invalid secret `probe_env`: line 1: expected NAME=value, with a name of letters, digits and _ that does not start with a digit; line 3: expected NAME=value');
  });
});

describe('literal credentials (in text the runner prints)', () => {
  const at = (headers: Record<string, string>, url = 'https://a.test/health') => literalCredentials([{ url, headers }]).map((p) => p.path.join('.'));
  it('allows ${NAME} references, an auth scheme before one, cookie names, and ordinary headers', () => {
    expect(at({ Authorization: 'Bearer ${HEALTH_TOKEN}', 'X-Api-Key': '${KEY}', Cookie: 'session=${S}; csrf=${C}', 'X-Synthetic-Check': 'true', 'X-Env': 'production' })).toEqual([]);
    expect(at({}, 'https://user@a.test/')).toEqual([]);
  });
  it('refuses a credential written out, in a header or as a URL password, without the value in the message', () => {
    expect(at({ Authorization: 'Bearer abc123', 'X-Api-Key': 'k3y', 'Proxy-Authorization': 'Basic ${X} trailing', Cookie: 'session=abc' })).toEqual(['0.headers.Authorization', '0.headers.X-Api-Key', '0.headers.Proxy-Authorization', '0.headers.Cookie']);
    const url = literalCredentials([{ url: 'https://probe:hunter2@a.test/' }]);
    expect(url.map((p) => p.path.join('.'))).toEqual(['0.url']);
    for (const p of [...url, ...literalCredentials([{ url: 'https://a.test', headers: { Authorization: 'Bearer abc123' } }])]) {
      expect(p.message).toContain('`probe_env` secret');
      expect(p.message).not.toMatch(/hunter2|abc123/);
    }
  });
});
