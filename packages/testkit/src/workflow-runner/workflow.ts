import '../json-imports';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, isBoolean, isMapping, isSequence, isString, NoOperationTraceWriter, parseWorkflow, type WorkflowTemplate } from '@actions/workflow-parser';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';
import type { Step, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/**
 * Loading a workflow file with GitHub's parser: `parseWorkflow` validates it against the workflow schema
 * and turns every `${{ }}` into an expression token; `convertWorkflowTemplate` gives the model (jobs,
 * needs, `if:` with the implicit `success() &&`, step ids). What the model leaves out (`with:`, `shell:`,
 * `permissions:`, `timeout-minutes`, `defaults`, `on.workflow_call.outputs`, number inputs) is read from
 * the parsed token tree, so every value still goes through the same tokens and expressions.
 */

export type InputType = 'string' | 'boolean' | 'number' | 'choice' | 'environment';

export interface InputDefinition {
  type: InputType;
  required: boolean;
  default?: TemplateToken;
  options?: string[];
}

export interface CallDefinition {
  inputs: Record<string, InputDefinition>;
  secrets: Record<string, { required: boolean }>;
  /** Output name → its `value:` token (evaluated with the `jobs` context). */
  outputs: Record<string, TemplateToken>;
}

export interface LoadedWorkflow {
  /** Path relative to the root, like `.github/workflows/recovery.yml`. */
  file: string;
  abs: string;
  /** `name:`, else the file path (what GITHUB_WORKFLOW is). */
  name: string;
  template: WorkflowTemplate;
  root: MappingToken;
  /** Event names of `on:`. */
  triggers: Set<string>;
  /** `on.<event>` mapping, when given as one. */
  on: (event: string) => MappingToken | undefined;
  dispatchInputs: Record<string, InputDefinition>;
  call?: CallDefinition;
  job: (id: string) => { model: WorkflowJob; raw: MappingToken; index: number };
  /** The raw mapping of a job's step, aligned with the model's steps. */
  rawStep: (jobId: string, index: number) => MappingToken;
}

export class WorkflowError extends Error {}

/** `mapping.find(key)` that tolerates a missing mapping. */
export const field = (m: TemplateToken | undefined, key: string): TemplateToken | undefined => (m && isMapping(m) ? m.find(key) : undefined);
export const stringField = (m: TemplateToken | undefined, key: string): string | undefined => {
  const t = field(m, key);
  return t && isString(t) ? t.value : undefined;
};

function inputDefinitions(token: TemplateToken | undefined): Record<string, InputDefinition> {
  const out: Record<string, InputDefinition> = {};
  if (!token || !isMapping(token)) return out;
  for (const pair of token) {
    const name = pair.key.toString();
    const def = pair.value;
    const type = (stringField(def, 'type') ?? 'string') as InputType;
    const required = field(def, 'required');
    const options = field(def, 'options');
    out[name] = {
      type,
      required: Boolean(required && isBoolean(required) && required.value),
      default: field(def, 'default'),
      options: options && isSequence(options) ? [...options].map((o) => o.toString()) : undefined,
    };
  }
  return out;
}

const cache = new Map<string, { mtimeMs: number; wf: LoadedWorkflow }>();

/** Parses and converts a workflow file (cached until the file changes); schema errors throw, all at once. */
export async function loadWorkflow(file: string, root: string): Promise<LoadedWorkflow> {
  const abs = path.resolve(root, file);
  if (!existsSync(abs)) throw new WorkflowError(`no workflow file ${file} (under ${root})`);
  const mtimeMs = statSync(abs).mtimeMs;
  const hit = cache.get(abs);
  if (hit && hit.mtimeMs === mtimeMs) return hit.wf;

  const rel = path.relative(root, abs);
  const parsed = parseWorkflow({ name: rel, content: readFileSync(abs, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) throw new WorkflowError(`${rel} is not a valid workflow:\n  ${errors.join('\n  ')}`);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value, undefined, { errorPolicy: ErrorPolicy.TryConversion });
  if (template.errors?.length) throw new WorkflowError(`${rel} is not a valid workflow:\n  ${template.errors.map((e) => e.Message).join('\n  ')}`);
  const rootToken = parsed.value.assertMapping('workflow root');

  const onToken = rootToken.find('on');
  const triggers = new Set<string>();
  if (onToken && isString(onToken)) triggers.add(onToken.value);
  else if (onToken && isSequence(onToken)) for (const t of onToken) triggers.add(t.toString());
  else if (onToken && isMapping(onToken)) for (const pair of onToken) triggers.add(pair.key.toString());
  const on = (event: string) => {
    const t = field(onToken, event);
    return t && isMapping(t) ? t : undefined;
  };

  let call: CallDefinition | undefined;
  if (triggers.has('workflow_call')) {
    const wc = on('workflow_call');
    const secrets: CallDefinition['secrets'] = {};
    const st = field(wc, 'secrets');
    if (st && isMapping(st)) {
      for (const pair of st) {
        const req = field(pair.value, 'required');
        secrets[pair.key.toString()] = { required: Boolean(req && isBoolean(req) && req.value) };
      }
    }
    const outputs: CallDefinition['outputs'] = {};
    const ot = field(wc, 'outputs');
    if (ot && isMapping(ot)) {
      for (const pair of ot) {
        const value = field(pair.value, 'value');
        if (value) outputs[pair.key.toString()] = value;
      }
    }
    call = { inputs: inputDefinitions(field(wc, 'inputs')), secrets, outputs };
  }

  const jobsToken = rootToken.find('jobs');
  if (!jobsToken || !isMapping(jobsToken)) throw new WorkflowError(`${rel} has no jobs`);
  const job = (id: string) => {
    const index = template.jobs.findIndex((j) => j.id.value === id);
    const raw = jobsToken.find(id);
    if (index < 0 || !raw || !isMapping(raw)) throw new WorkflowError(`${rel} has no job ${id}`);
    return { model: template.jobs[index]!, raw, index };
  };
  const rawStep = (jobId: string, index: number) => {
    const steps = field(job(jobId).raw, 'steps');
    const t = steps && isSequence(steps) ? steps.get(index) : undefined;
    if (!t || !isMapping(t)) throw new WorkflowError(`${rel}: job ${jobId} has no step ${index}`);
    return t;
  };
  // The model must have one step per item of `steps:` (a step the converter dropped would misalign them).
  for (const j of template.jobs) {
    if (j.type !== 'job') continue;
    const steps = field(job(j.id.value).raw, 'steps');
    const count = steps && isSequence(steps) ? steps.count : 0;
    if (count !== j.steps.length) throw new WorkflowError(`${rel}: job ${j.id.value} has ${count} steps but the parser converted ${j.steps.length}`);
  }

  const wf: LoadedWorkflow = {
    file: rel,
    abs,
    name: stringField(rootToken, 'name') ?? rel,
    template,
    root: rootToken,
    triggers,
    on,
    dispatchInputs: inputDefinitions(field(on('workflow_dispatch'), 'inputs')),
    call,
    job,
    rawStep,
  };
  cache.set(abs, { mtimeMs, wf });
  return wf;
}

// ---------------------------------------------------------------- uses: references

export type UsesTarget =
  /** One of this project's actions: run dist/<name>/index.js through the runner harness. */
  | { kind: 'action'; name: string; from?: SourceRepository }
  /** One of this project's reusable workflows, run as a nested workflow_call. */
  | { kind: 'workflow'; file: string; from?: SourceRepository }
  /** Anything else: needs a declared stand-in. */
  | { kind: 'foreign'; action: string; ref?: string };

/** The repository and ref a file was reached through, by name (a declared `OWNER/recovery/…@v1`). */
export interface SourceRepository {
  repository: string;
  ref: string;
}

export interface ProjectLayout {
  /** The checkout the files come from. */
  root: string;
  /** `owner/repo` names (lowercase) declared as this checkout: the name callers use for the published suite. */
  local: ReadonlySet<string>;
}

const isActionDir = (root: string, name: string) => /^[\w.-]+$/.test(name) && name !== '.github' && existsSync(path.join(root, name, 'action.yml'));
const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/** A path inside this checkout: one of its reusable workflows or one of its actions. */
function localTarget(rel: string, layout: ProjectLayout, uses: string): UsesTarget {
  if (WORKFLOW_PATH.test(rel)) return { kind: 'workflow', file: rel };
  if (isActionDir(layout.root, rel)) return { kind: 'action', name: rel };
  throw new WorkflowError(`uses: ${uses}: not one of this project's actions or reusable workflows`);
}

/**
 * Where a step's or job's `uses:` leads, from the workflow file `from`.
 * - `./x` is the checkout's own path; `$/x` (GitHub's self-repository syntax) is the workflow file's own
 *   repository at the running commit: both this checkout.
 * - `owner/repo/x@ref` is this checkout only when `owner/repo` is declared as it (a LOCAL_CHECKOUT stand-in,
 *   the name callers copy from examples/), and only from a caller: the suite's own workflows
 *   (.github/workflows/) must reference themselves with `$/`, since no name they could write is right for
 *   every adopter. Any other `owner/repo` is foreign and needs a declared stand-in.
 */
export function resolveUses(uses: string, layout: ProjectLayout, from?: string): UsesTarget {
  const u = uses.trim();
  if (u.startsWith('docker://')) return { kind: 'foreign', action: u };
  if (u.startsWith('./')) return localTarget(u.slice(2).replace(/\/+$/, ''), layout, uses);
  if (u.startsWith('$/')) {
    if (u.includes('@')) throw new WorkflowError(`uses: ${uses}: a self-reference takes no @ref (it is the running commit)`);
    return localTarget(u.slice(2).replace(/\/+$/, ''), layout, uses);
  }
  const at = u.lastIndexOf('@');
  const [spec, ref] = at > 0 ? [u.slice(0, at), u.slice(at + 1)] : [u, undefined];
  const [owner, repo, ...rest] = spec.split('/').filter(Boolean);
  if (owner && repo && layout.local.has(`${owner}/${repo}`.toLowerCase())) {
    if (from && from.startsWith('.github/workflows/')) throw new WorkflowError(`${from}: uses: ${uses}: the suite's own workflows reference their actions and workflows with $/ (the repository they are in), not a name`);
    return { ...localTarget(rest.join('/'), layout, uses), from: { repository: `${owner}/${repo}`, ref: ref ?? '' } } as UsesTarget;
  }
  return { kind: 'foreign', action: spec, ref };
}

/** Every step and reusable-workflow `uses:` of a workflow and the workflows it calls (for a check before running). */
export async function collectUses(file: string, layout: ProjectLayout, seen = new Set<string>()): Promise<Array<{ file: string; job: string; step?: string; uses: string; target: UsesTarget }>> {
  const wf = await loadWorkflow(file, layout.root);
  if (seen.has(wf.abs)) return [];
  seen.add(wf.abs);
  const out: Array<{ file: string; job: string; step?: string; uses: string; target: UsesTarget }> = [];
  for (const job of wf.template.jobs) {
    if (job.type === 'reusableWorkflowJob') {
      const target = resolveUses(job.ref.value, layout, wf.file);
      out.push({ file: wf.file, job: job.id.value, uses: job.ref.value, target });
      if (target.kind === 'workflow') out.push(...(await collectUses(target.file, layout, seen)));
      continue;
    }
    job.steps.forEach((s: Step, i) => {
      if ('uses' in s) out.push({ file: wf.file, job: job.id.value, step: stepLabel(s, i), uses: s.uses.value, target: resolveUses(s.uses.value, layout, wf.file) });
    });
  }
  return out;
}

export function stepLabel(s: Step, index: number): string {
  if (s.name) return s.name.toDisplayString();
  if ('uses' in s) return s.uses.value;
  if ('run' in s) return `Run ${s.run.toDisplayString().split('\n')[0]}`;
  return `step ${index + 1}`;
}
