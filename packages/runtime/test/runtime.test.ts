import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UserError } from '@recovery/core';
import { actionContext, actionRun, commonInputs, finish, loadPolicy, readInputs, readKnobs, REAL_TIME, runEntry, writeOutputs, type ActionDeps, type ActionIO, type RunContext } from '../src/index';

/** The runtime's error paths: every refusal names the input (or variable) and what it accepts. */
const io = (inputs: Record<string, string>): Pick<ActionIO, 'getInput'> => ({ getInput: (n) => inputs[n] ?? '' });
const Schema = z.object({ ...commonInputs, count: z.coerce.number().int().min(1).max(5).default(1) });

describe('readInputs', () => {
  it('names the input and what it accepts; an empty input is not given', () => {
    expect(readInputs(Schema, io({ count: '' })).count).toBe(1);
    expect(() => readInputs(Schema, io({ count: '9' }))).toThrow(UserError);
    expect(() => readInputs(Schema, io({ count: '9' }))).toThrow(/^Invalid input `count`: /);
  });
  it('reports every bad input at once, and never echoes a token', () => {
    let err: UserError | undefined;
    try {
      readInputs(Schema, io({ count: 'x', token: 'ghp_secret value', scope: 'Bad Scope!' }));
    } catch (e) {
      err = e as UserError;
    }
    expect(err?.message).toMatch(/^Invalid inputs:\n/);
    expect(err?.message).toContain('`count`');
    expect(err?.message).toContain('`token`: expected a token without spaces or line breaks');
    expect(err?.message).toContain('`scope`');
    expect(err?.message).not.toContain('ghp_secret');
  });
});

describe('loadPolicy', () => {
  const ws = () => mkdtempSync(path.join(tmpdir(), 'policy-'));
  it('a missing default file means the defaults; a missing named file and a path outside the workspace name the input', () => {
    const w = ws();
    expect(loadPolicy(undefined, w).source).toMatch(/^defaults/);
    expect(() => loadPolicy('ops/recovery.yml', w)).toThrow('Invalid input `policy`: the file ops/recovery.yml does not exist in the workspace');
    expect(() => loadPolicy('../elsewhere.yml', w)).toThrow('Invalid input `policy`: expected a path inside the workspace or inline YAML, got "../elsewhere.yml"');
  });
  it('a policy that does not parse names where it came from', () => {
    const w = ws();
    mkdirSync(path.join(w, '.github'));
    writeFileSync(path.join(w, '.github/recovery.yml'), 'breaker: [1, 2\n');
    expect(() => loadPolicy(undefined, w)).toThrow(UserError);
    expect(() => loadPolicy(undefined, w)).toThrow(/\.github\/recovery\.yml/);
    expect(() => loadPolicy('breaker: {recovery: {threshold: "many"}}', w)).toThrow(/input `policy` \(inline YAML\)/);
  });
  it('an inline policy (a with: value the runner prints) with a literal credential is refused without echoing it; the same in a file is the repository’s own', () => {
    const w = ws();
    const text = 'services:\n  api:\n    checks:\n      - url: http://127.0.0.1:9/\n        headers: { Authorization: "Bearer abc123literal" }\n';
    expect(() => loadPolicy(text, w)).toThrow(/^Invalid input `policy` \(inline YAML\): services check "api.*": a literal credential in Authorization.*`probe_env` secret/);
    expect(() => loadPolicy(text, w)).not.toThrow(/abc123literal/);
    expect(loadPolicy(text.replace('Bearer abc123literal', 'Bearer ${HEALTH_TOKEN}'), w).source).toBe('inline');
    mkdirSync(path.join(w, '.github'));
    writeFileSync(path.join(w, '.github/recovery.yml'), text);
    expect(loadPolicy(undefined, w).source).toBe('.github/recovery.yml');
  });
});

describe('actionContext and knobs', () => {
  const gh: RunContext = { runId: 5, runAttempt: 2, serverUrl: 'http://github.localhost/', apiUrl: 'http://api.localhost', eventName: 'workflow_dispatch', actor: 'octocat', payload: {}, job: 'j', action: 'a' };
  it('refuses to run without GITHUB_REPOSITORY, saying what to set', () => {
    expect(() => actionContext({}, gh)).toThrow('GITHUB_REPOSITORY is not set to owner/name: run this inside GitHub Actions (or set it).');
  });
  it('reads the run from the context it is given; an actor that is not a login is not recorded', () => {
    const ctx = actionContext({ GITHUB_REPOSITORY: 'octo/app', GITHUB_WORKSPACE: '/w' }, gh);
    expect([ctx.runUrl, ctx.by, ctx.workspace]).toEqual(['http://github.localhost/octo/app/actions/runs/5/attempts/2', 'run 5/2 by octocat', '/w']);
    expect(actionContext({ GITHUB_REPOSITORY: 'octo/app', GITHUB_TRIGGERING_ACTOR: 'x; rm -rf /' }, gh).triggeredBy).toBeUndefined();
  });
  it('ignores knobs that are not numbers, or out of range: real time', () => {
    expect(readKnobs({ RECOVERY_RETRY_BASE_MS: 'soon', RECOVERY_SETTLE_MS: '-1', RECOVERY_POLL_SCALE: '2', RECOVERY_WRITE_SPACING_MS: '' })).toEqual(REAL_TIME);
    expect(readKnobs({ RECOVERY_POLL_SCALE: '0.01', RECOVERY_WRITE_SPACING_MS: '0' })).toMatchObject({ pollScale: 0.01, writeSpacingMs: 0 });
  });
});

describe('runEntry and outputs', () => {
  const recording = () => {
    const seen: string[] = [];
    const fake = { setFailed: (m: string) => seen.push(`failed: ${m}`), debug: (m: string) => seen.push(`debug: ${m.split('\n')[0]}`), setOutput: (k: string, v: unknown) => seen.push(`${k}=${String(v)}`) } as unknown as ActionIO;
    return { seen, deps: { io: fake, ctx: {} as ActionDeps['ctx'], github: async () => ({}) as never } as ActionDeps };
  };
  it('a UserError fails the step with its message alone; anything else as unexpected, its stack in the debug log', async () => {
    const a = recording();
    await runEntry(async () => {
      throw new UserError('Invalid input `mode`: expected rerun');
    }, () => a.deps);
    expect(a.seen).toEqual(['failed: Invalid input `mode`: expected rerun']);
    const b = recording();
    await runEntry(async () => {
      throw new TypeError('x is undefined');
    }, () => b.deps);
    expect(b.seen).toEqual(['debug: TypeError: x is undefined', 'failed: Unexpected error: x is undefined']);
  });
  it('writes every output once, in order', () => {
    const a = recording();
    writeOutputs<{ state: string; allowed: boolean; count: number }>(a.deps.io, { state: 'open', allowed: false, count: 3 });
    expect(a.seen).toEqual(['state=open', 'allowed=false', 'count=3']);
  });
  it('finish writes the outputs, then the status at its level (a failed step, an annotation with its title, or a log line), then the summary', async () => {
    for (const [status, expected] of [
      [{ level: 'failed', line: 'Breaker open.' }, 'failed: Breaker open.'],
      [{ level: 'warning', line: 'Degraded.', title: 'Health' }, 'warning[Health]: Degraded.'],
      [{ level: 'notice', line: 'Decision: rerun.', title: 'Decision' }, 'notice[Decision]: Decision: rerun.'],
      [{ level: 'info', line: 'All well.' }, 'info: All well.'],
    ] as const) {
      const seen: string[] = [];
      const io = {
        setOutput: (k: string, v: unknown) => seen.push(`${k}=${String(v)}`),
        setFailed: (m: string) => seen.push(`failed: ${m}`),
        warning: (m: string, p?: { title?: string }) => seen.push(`warning[${p?.title}]: ${m}`),
        notice: (m: string, p?: { title?: string }) => seen.push(`notice[${p?.title}]: ${m}`),
        info: (m: string) => seen.push(`info: ${m}`),
        summary: async (m: string) => void seen.push(`summary: ${m}`),
      };
      await finish(io, { outputs: { state: 'open', count: 2 }, summary: '### Breaker', status });
      expect(seen).toEqual(['state=open', 'count=2', expected, 'summary: ### Breaker']);
    }
  });
  it('actionRun masks the secret inputs before the inputs are read, hands the typed inputs to the service and finishes with its result', async () => {
    const seen: string[] = [];
    const inputs: Record<string, string> = { count: '3', hook: 'https://hooks.example/T0/B0/key' };
    const io = {
      getInput: (n: string) => (seen.push(`input ${n}`), inputs[n] ?? ''),
      setSecret: (v: string) => seen.push(`secret ${v}`),
      setOutput: (k: string, v: unknown) => seen.push(`${k}=${String(v)}`),
      info: (m: string) => seen.push(`info: ${m}`),
      summary: async (m: string) => void seen.push(`summary: ${m}`),
    } as unknown as ActionIO;
    const run = actionRun(z.object({ count: z.coerce.number() }), async (_deps, given) => ({ outputs: { doubled: given.count * 2 }, summary: 'done', status: { level: 'info' as const, line: `count ${given.count}` } }), { secretInputs: ['hook'] });
    await run({ io, ctx: {} as ActionDeps['ctx'], github: async () => ({}) as never });
    expect(seen).toEqual(['input hook', 'secret https://hooks.example/T0/B0/key', 'input count', 'doubled=6', 'info: count 3', 'summary: done']);
  });
});
