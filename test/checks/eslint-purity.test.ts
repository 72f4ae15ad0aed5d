import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './workflows';

/**
 * packages/core is pure domain logic: eslint.config.js forbids it I/O imports (no-restricted-imports).
 * These tests lint code as if it were a file in each package, with the project's own config.
 */

const eslint = new ESLint({ cwd: REPO_ROOT });

async function lint(code: string, filePath: string) {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, severity: m.severity, message: m.message }));
}

const CORE = 'packages/core/src/__lint_fixture__.ts';
const GITHUB = 'packages/adapters/src/__lint_fixture__.ts';

describe('packages/core purity (eslint no-restricted-imports)', () => {
  it.each([
    "import * as core from '@actions/core';",
    "import { Octokit } from '@octokit/rest';",
    "import { readFileSync } from 'node:fs';",
    "import { readFile } from 'node:fs/promises';",
    "import fs from 'fs';",
    "import http from 'node:http';",
    "import { execSync } from 'node:child_process';",
  ])('in packages/core, `%s` is an error', async (code) => {
    const messages = await lint(`${code}\nexport const used = [${code.match(/import (?:\* as )?\{? ?(\w+)/)![1]}];\n`, CORE);
    expect(messages).toEqual([expect.objectContaining({ rule: 'no-restricted-imports', severity: 2, message: expect.stringContaining('packages/core is pure domain logic') })]);
  });

  it('in packages/adapters the same imports are fine', async () => {
    const code = "import * as core from '@actions/core';\nimport { readFileSync } from 'node:fs';\nexport const used = [core, readFileSync];\n";
    expect(await lint(code, GITHUB)).toEqual([]);
  });

  it('core may import pure modules (relative files, zod, node:crypto is not on the list)', async () => {
    const code = "import { z } from 'zod';\nimport { x } from './other';\nexport const used = [z, x];\n";
    expect(await lint(code, CORE)).toEqual([]);
  });
});
