import { describe, expect, it } from 'vitest';
import { fence, neuterMentions, redactSecrets, sanitizeExternal } from '../src/redact';

describe('redaction', () => {
  it('redacts tokens and keyed secrets, keeping the words around them', () => {
    const tok = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const out = redactSecrets(`push failed for ${tok} with Authorization: Bearer abc.def.ghi and password=hunter22 at https://bob:s3cr3t@registry.test/x`);
    expect(out).not.toContain(tok);
    expect(out).not.toContain('abc.def.ghi');
    expect(out).not.toContain('hunter22');
    expect(out).not.toContain('s3cr3t');
    expect(out).toContain('push failed for [REDACTED]');
    expect(out).toContain('https://bob:[REDACTED]@registry.test/x');
  });
  it('redacts values known to be secret', () => {
    expect(redactSecrets('canary-123456 leaked', ['canary-123456'])).toBe('[REDACTED] leaked');
  });
  it('neuters mentions and references but not e-mail addresses', () => {
    const out = neuterMentions('ping @octo-org/oncall and @everyone about #1, mail ops@example.com');
    expect(out).not.toMatch(/@octo-org\/oncall/);
    expect(out).not.toMatch(/@everyone/);
    expect(out).not.toMatch(/#1\b/);
    expect(out).toContain('ops@example.com');
  });
  it('neuters cross-repository references and links to issues, pull requests and discussions', () => {
    const out = neuterMentions('see octo/api#12, octo/api.js#3 and https://github.com/octo/api/issues/7 or http://ghes.corp/o/r/pull/9, https://github.com/o/r/discussions/4');
    expect(out).not.toMatch(/octo\/api#12|octo\/api\.js#3/);
    expect(out).not.toMatch(/https:\/\/github\.com\/octo\/api\/issues\/7|http:\/\/ghes|https:\/\/github\.com\/o\/r\/discussions/);
    // Still readable: only zero-width spaces were added.
    expect(out.replace(/\u200b/g, '')).toBe('see octo/api#12, octo/api.js#3 and https://github.com/octo/api/issues/7 or http://ghes.corp/o/r/pull/9, https://github.com/o/r/discussions/4');
    // Other links and fragments stay as they are.
    expect(neuterMentions('https://github.com/octo/api/actions/runs/5 and docs.html#intro')).toBe('https://github.com/octo/api/actions/runs/5 and docs.html#intro');
  });
  it('fences text that contains backticks', () => {
    expect(fence('a ``` b')).toBe('````\na ``` b\n````');
  });
  it('strips ANSI colour codes from logs', () => {
    expect(sanitizeExternal('\u001b[31mError\u001b[0m')).toBe('Error');
  });
});
