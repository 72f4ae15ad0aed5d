import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@recovery/testkit/harness';
import { githubParse, REPO_ROOT } from './workflows';

const SCRIPT = path.join(REPO_ROOT, 'scripts/pin-self-references.mjs');
const selfRefs = (text: string) => text.split('\n').filter((l) => /^\s*(-\s+)?uses:\s*\$\//.test(l)).length;

describe('scripts/pin-self-references.mjs (GHES has no $/)', () => {
  it('rewrites every $/ reference of the workflows to the published name and release, and the result still parses', async () => {
    const root = tempDir('pin-');
    cpSync(path.join(REPO_ROOT, '.github/workflows'), path.join(root, '.github/workflows'), { recursive: true });
    const files = readdirSync(path.join(root, '.github/workflows')).filter((f) => f.endsWith('.yml'));
    const before = Object.fromEntries(files.map((f) => [f, readFileSync(path.join(root, '.github/workflows', f), 'utf8')]));
    const count = Object.values(before).reduce((n, t) => n + selfRefs(t), 0);
    expect(count).toBeGreaterThanOrEqual(12);

    const check = spawnSync(process.execPath, [SCRIPT, '--repo', 'OWNER/recovery', '--ref', 'v1.2.3', '--check', '--root', root], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${count} self-references to pin to OWNER/recovery@v1.2.3`);
    expect(readFileSync(path.join(root, '.github/workflows/recovery.yml'), 'utf8')).toBe(before['recovery.yml']);

    execFileSync(process.execPath, [SCRIPT, '--repo', 'OWNER/recovery', '--ref', 'v1.2.3', '--root', root]);
    for (const f of files) {
      const after = readFileSync(path.join(root, '.github/workflows', f), 'utf8');
      expect(selfRefs(after), f).toBe(0);
      // Only the uses: lines changed.
      const changed = after.split('\n').filter((l, i) => l !== before[f]!.split('\n')[i]);
      expect(changed.length, f).toBe(selfRefs(before[f]!));
      for (const l of changed) expect(l).toMatch(/uses: OWNER\/recovery\/[\w./-]+@v1\.2\.3$/);
      expect((await githubParse(after, `.github/workflows/${f}`, root)).map((x) => x.message), f).toEqual([]);
    }
    expect(readFileSync(path.join(root, '.github/workflows/health-monitor.yml'), 'utf8')).toContain('uses: OWNER/recovery/.github/workflows/recovery.yml@v1.2.3');
  });

  it('bad arguments: a message naming the option and what it accepts, exit 2, nothing changed', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--repo', 'recovery', '--ref', 'v1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--repo: expected the suite's repository on your server as owner\/name/);
  });
});
