import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderIncidentBody } from '@recovery/core';
import { REPO_ROOT, tempDir } from '@recovery/testkit/harness';

/**
 * The operator CLI installs without a clone: `npx --yes github:OWNER/recovery#v1 …` installs this
 * repository's root package (what `npm pack` packs here) and runs its only bin. The package has no runtime
 * dependencies (the CLI is one bundle), so the install fetches nothing: the registry is unreachable here.
 */

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

describe('the packed CLI', () => {
  it('installs in an empty directory with no registry and runs `breaker status --help`: the command the README and the blocked-incident issue print', () => {
    const rootPkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies?: Record<string, string> };
    // npx runs a package's only bin: exactly one, and nothing to fetch at install.
    expect(Object.keys(rootPkg.bin)).toEqual(['recovery-cli']);
    expect(rootPkg.dependencies ?? {}).toEqual({});

    // What the README and the issue text tell a person to type.
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const printed = /^(npx --yes github:OWNER\/recovery#v1) breaker status --repo/m.exec(readme);
    expect(printed, 'the README prints the breaker status command').not.toBeNull();
    const command = printed![1]!;
    expect(readme).not.toMatch(/^npx recovery\b|`npx recovery [a-z]/m); // only the sentence saying it is not ours
    const issue = renderIncidentBody({ repo: 'octo/app', scope: 'default', now: new Date(), decision: 'blocked', breaker: { unavailable: 'the token cannot read repository variables' } }).text;
    expect(issue).toContain(`\`${command} breaker close --repo octo/app\``);
    // github:OWNER/recovery is this repository: the root package is what gets installed.
    expect(command).toMatch(/^npx --yes github:OWNER\/recovery#v1$/);

    const packDir = tempDir('cli-pack-');
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', packDir], REPO_ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(packed!.files.map((f) => f.path).sort()).toEqual(expect.arrayContaining(['dist/cli/index.js', 'dist/cli/package.json', 'package.json']));
    // The CLI bundle (with its chunks) and the package's metadata: nothing else of the repository.
    expect(packed!.files.filter((f) => !/^(dist\/cli\/[\w.-]+\.(js|json)|package\.json|README\.md|LICENSE)$/.test(f.path))).toEqual([]);

    const home = tempDir('cli-home-');
    writeFileSync(path.join(home, 'package.json'), '{ "name": "operator", "private": true }\n');
    npm(['install', '--offline', path.join(packDir, packed!.filename)], home);
    const bin = path.join(home, 'node_modules/.bin/recovery-cli');
    const help = spawnSync(bin, ['breaker', 'status', '--help'], { cwd: home, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('recovery-cli breaker <command> --repo owner/name');
    expect(help.stdout).toContain(`Without installing: ${command} breaker <command>`);
  });
});
