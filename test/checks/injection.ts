import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Lexer, Parser } from '@actions/expressions';
import { ContextAccess, FunctionCall, Grouping, IndexAccess, Literal, Logical, Star, Unary, Binary, type Expr } from '@actions/expressions/ast';
import { isMap, isScalar, type Node } from 'yaml';
import { loadYaml, stepsOf } from './workflows';

/**
 * Script injection check. An expression inside a `run:` script is pasted into the script text before the
 * shell sees it, so a value an attacker controls (an issue title, a branch name, a workflow input, the
 * output of a step that echoed one) becomes code. Such values must go through `env:` and be used as
 * "$VAR". This check finds `${{ … }}` in `run:` (and in `actions/github-script`'s `script:`, the same
 * problem in JavaScript) of workflows and composite actions, and reports each unsafe context reference.
 */

export interface InjectionFinding {
  file: string;
  job: string;
  step: string;
  line: number;
  /** The whole `${{ … }}` as written. */
  expression: string;
  /** The context reference that makes it unsafe, like github.event.workflow_run.head_branch. */
  reference: string;
  where: 'run' | 'github-script';
}

/** Rules on a lower-cased reference path ('*' for a filter, '?' for a computed index). First match wins. */
export const INJECTION_RULES: Array<{ pattern: RegExp; unsafe: boolean; why: string }> = [
  { pattern: /^github\.event_name$/, unsafe: false, why: 'the event name is chosen by GitHub' },
  { pattern: /^github\.event(\.|$)/, unsafe: true, why: 'event payloads carry attacker-controlled text (titles, bodies, branch names, commit messages)' },
  { pattern: /^github\.head_ref$/, unsafe: true, why: 'the pull request branch name is chosen by its author' },
  { pattern: /^inputs(\.|$)/, unsafe: true, why: 'inputs are free text from whoever dispatches or calls' },
  { pattern: /^steps\.[^.]+\.outputs(\.|$)/, unsafe: true, why: 'step outputs often carry text from the event or an API' },
  { pattern: /^needs\.[^.]+\.outputs(\.|$)/, unsafe: true, why: 'job outputs often carry text from the event or an API' },
  { pattern: /^secrets(\.|$)/, unsafe: true, why: 'a secret pasted into a script can break out of quoting and ends up in the process list; pass it through env:' },
  { pattern: /^env(\.|$)/, unsafe: false, why: 'use "$VAR" in the script instead, but env values are set by the workflow' },
];

const CONTEXTS = ['github', 'env', 'inputs', 'secrets', 'steps', 'needs', 'vars', 'job', 'jobs', 'runner', 'strategy', 'matrix'];

/** The `${{ … }}` spans of a string, ending at the first `}}` outside a single-quoted string literal. */
export function findExpressions(text: string): Array<{ raw: string; inner: string; index: number }> {
  const out: Array<{ raw: string; inner: string; index: number }> = [];
  let i = text.indexOf('${{');
  while (i >= 0) {
    let j = i + 3;
    let inString = false;
    for (; j < text.length; j++) {
      if (text[j] === "'") {
        if (inString && text[j + 1] === "'") j++;
        else inString = !inString;
      } else if (!inString && text[j] === '}' && text[j + 1] === '}') break;
    }
    if (j >= text.length) break;
    out.push({ raw: text.slice(i, j + 2), inner: text.slice(i + 3, j).trim(), index: i });
    i = text.indexOf('${{', j + 2);
  }
  return out;
}

/** Every context reference in an expression, as lower-cased dotted paths (`github.event.issue.title`). */
export function contextReferences(expression: string): string[] {
  let ast: Expr;
  try {
    const { tokens } = new Lexer(expression).lex();
    ast = new Parser(tokens, CONTEXTS, []).parse();
  } catch {
    // Not parseable: fall back to the dotted names in the text (err on the side of reporting).
    return [...expression.matchAll(/\b[a-z_][\w-]*(?:\.[\w*-]+)+/gi)].map((m) => m[0].toLowerCase());
  }
  const refs: string[] = [];
  // The path of an access chain, or undefined when the chain does not start at a context.
  const pathOf = (e: Expr): string[] | undefined => {
    if (e instanceof ContextAccess) return [e.name.lexeme.toLowerCase()];
    if (e instanceof IndexAccess) {
      const base = pathOf(e.expr);
      if (!base) return undefined;
      if (e.index instanceof Star) return [...base, '*'];
      if (e.index instanceof Literal && e.index.literal.primitive) return [...base, e.index.literal.coerceString().toLowerCase()];
      return [...base, '?'];
    }
    return undefined;
  };
  const visit = (e: Expr): void => {
    if (e instanceof ContextAccess || e instanceof IndexAccess) {
      const p = pathOf(e);
      if (p) refs.push(p.join('.'));
      if (e instanceof IndexAccess) {
        if (!p) visit(e.expr);
        visit(e.index);
      }
    } else if (e instanceof FunctionCall) e.args.forEach(visit);
    else if (e instanceof Logical) e.args.forEach(visit);
    else if (e instanceof Binary) {
      visit(e.left);
      visit(e.right);
    } else if (e instanceof Unary) visit(e.expr);
    else if (e instanceof Grouping) visit(e.group);
  };
  visit(ast);
  return refs;
}

/** The rule that decides a reference, or undefined when no rule names it (safe). */
export const ruleFor = (reference: string) => INJECTION_RULES.find((r) => r.pattern.test(reference));
export const isUnsafeReference = (reference: string) => ruleFor(reference)?.unsafe ?? false;

/** Unsafe expressions in the `run:` scripts (and github-script `script:`) of one workflow or composite action. */
export function findInjections(text: string, file: string): InjectionFinding[] {
  const { doc, lines } = loadYaml(text);
  const findings: InjectionFinding[] = [];
  const scan = (node: Node | null | undefined, job: string, step: string, where: InjectionFinding['where']) => {
    if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
    const script = node.value;
    const [start, , end] = node.range;
    for (const expr of findExpressions(script)) {
      // The line in the file: find the expression's text in the node's source, else the node's first line.
      const at = text.indexOf(expr.raw, start);
      const line = lines.linePos(at >= 0 && at < end ? at : start).line;
      for (const reference of new Set(contextReferences(expr.inner))) {
        if (isUnsafeReference(reference)) findings.push({ file, job, step, line, expression: expr.raw, reference, where });
      }
    }
  };
  for (const { job, step, node } of stepsOf(doc)) {
    scan(node.get('run', true) as Node, job, step, 'run');
    const uses = node.get('uses');
    const withNode = node.get('with', true);
    if (typeof uses === 'string' && /^actions\/github-script@/.test(uses) && isMap(withNode)) scan(withNode.get('script', true) as Node, job, step, 'github-script');
  }
  return findings;
}

export function findInjectionsInFile(file: string, root: string): InjectionFinding[] {
  return findInjections(readFileSync(path.join(root, file), 'utf8'), file);
}

export const formatInjection = (f: InjectionFinding) =>
  `${f.file}:${f.line}: job '${f.job}', step '${f.step}': ${f.expression} in ${f.where === 'run' ? 'run:' : 'github-script script:'} uses ${f.reference} (${ruleFor(f.reference)?.why ?? ''}); pass it through env: and use "$VAR"`;
