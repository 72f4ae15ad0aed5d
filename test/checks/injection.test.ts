import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextReferences, findExpressions, findInjectionsInFile, formatInjection, isUnsafeReference } from './injection';
import { candidateFiles, githubParse, isWorkflow, REPO_ROOT } from './workflows';
import { readFileSync } from 'node:fs';

const FIXTURES = 'test/lint-fixtures';

/** Workflows and composite actions of the repository: the workflow files, and every composite action.yml. */
function projectFiles(): string[] {
  const files = candidateFiles().filter((f) => isWorkflow(readFileSync(path.join(REPO_ROOT, f), 'utf8')));
  for (const dir of readdirSync(REPO_ROOT)) {
    if (dir === 'node_modules' || dir.startsWith('.')) continue;
    const f = path.join(dir, 'action.yml');
    if (existsSync(path.join(REPO_ROOT, f))) files.push(f);
  }
  return files;
}

describe('script injection check', () => {
  it('no workflow or action of the project pastes untrusted context into run:', () => {
    const files = projectFiles();
    expect(files).toContain('.github/workflows/ci.yml');
    const findings = files.flatMap((f) => findInjectionsInFile(f, REPO_ROOT));
    expect(findings.map(formatInjection)).toEqual([]);
  });

  it('flags the bad fixture: run: echo ${{ github.event.workflow_run.head_branch }}', () => {
    expect(findInjectionsInFile(`${FIXTURES}/injection-bad.yml`, REPO_ROOT)).toEqual([
      {
        file: `${FIXTURES}/injection-bad.yml`,
        job: 'report',
        step: 'Say which branch failed',
        line: 15,
        expression: '${{ github.event.workflow_run.head_branch }}',
        reference: 'github.event.workflow_run.head_branch',
        where: 'run',
      },
    ]);
  });

  it('passes the good fixture: the same value through env:, safe contexts inline', () => {
    expect(findInjectionsInFile(`${FIXTURES}/injection-good.yml`, REPO_ROOT)).toEqual([]);
  });

  it('reports each unsafe kind with its job, step and line, and nothing for safe contexts', () => {
    const found = findInjectionsInFile(`${FIXTURES}/injection-many.yml`, REPO_ROOT).map((f) => [f.job, f.step, f.line, f.reference, f.where]);
    expect(found).toEqual([
      ['first', 'a', 18, 'inputs.scope', 'run'],
      ['first', 'step output', 20, 'steps.a.outputs.value', 'run'],
      ['first', 'token', 23, 'secrets.token', 'run'],
      ['first', 'nested in a function', 25, 'github.event', 'run'],
      ['first', 'nested in a function', 25, 'github.head_ref', 'run'],
      ['second', 'job output', 33, 'needs.first.outputs.value', 'run'],
      ['second', 'github-script is JavaScript', 37, 'github.event.inputs.scope', 'github-script'],
    ]);
  });

  it('checks composite actions too', () => {
    expect(findInjectionsInFile(`${FIXTURES}/composite-bad/action.yml`, REPO_ROOT).map(formatInjection)).toEqual([
      `${FIXTURES}/composite-bad/action.yml:12: job '(composite)', step 'echo': \${{ inputs.message }} in run: uses inputs.message (inputs are free text from whoever dispatches or calls); pass it through env: and use "$VAR"`,
    ]);
    expect(findInjectionsInFile(`${FIXTURES}/composite-good/action.yml`, REPO_ROOT)).toEqual([]);
  });

  it('the fixtures are real workflows that GitHub accepts (so only this check stands between them and main)', async () => {
    for (const f of ['injection-bad.yml', 'injection-good.yml', 'injection-many.yml']) {
      const file = `${FIXTURES}/${f}`;
      expect(await githubParse(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file), file).toEqual([]);
    }
  });

  it('reads expressions like GitHub: `}}` inside a string literal does not end one; references through functions and indexes count', () => {
    expect(findExpressions("a ${{ format('}}', inputs.x) }} b ${{ env.Y }}").map((e) => e.inner)).toEqual(["format('}}', inputs.x)", 'env.Y']);
    expect(contextReferences("github['head_ref'] || fromJSON(steps.s.outputs.j)[github.event.x]")).toEqual(['github.head_ref', 'steps.s.outputs.j', 'github.event.x']);
    expect(contextReferences('GITHUB.EVENT.issue.title')).toEqual(['github.event.issue.title']);
    for (const safe of ['github.event_name', 'env.x', 'github.repository', 'runner.os', 'matrix.node', 'vars.x']) expect(isUnsafeReference(safe), safe).toBe(false);
    for (const unsafe of ['github.event', 'github.event.pull_request.title', 'github.head_ref', 'inputs.x', 'steps.a.outputs.b', 'needs.j.outputs.o', 'secrets.t']) expect(isUnsafeReference(unsafe), unsafe).toBe(true);
  });
});
