import '../json-imports';
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions';
import { TokenType } from '@actions/expressions/lexer';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/**
 * GitHub's expression engine (@actions/expressions) over the runner's contexts.
 *
 * Contexts are plain JS objects converted to the engine's data types. An object marked with
 * {@link declared} lists every key that exists (a job's declared outputs, an action's declared outputs,
 * the declared inputs…): reading another key still gives null, as on GitHub, but is recorded as an
 * undeclared reference, because that is how wiring bugs look from inside an expression (a wrong
 * output name evaluates to '' and the `if:` silently never holds).
 */

export const CONTEXT_NAMES = ['github', 'inputs', 'secrets', 'vars', 'env', 'needs', 'steps', 'jobs', 'runner', 'matrix', 'job', 'strategy'] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];
export type Contexts = Partial<Record<ContextName, unknown>>;

const DECLARED = Symbol('declared');
type Declared = { [DECLARED]?: string };

/** Marks an object whose keys are all that exist; reads of other keys are reported with `path`. */
export function declared<T extends object>(obj: T, path: string): T {
  Object.defineProperty(obj, DECLARED, { value: path, enumerable: false, configurable: true });
  return obj;
}

let misses: Set<string> | undefined;

class DeclaredDictionary extends data.Dictionary {
  constructor(readonly path: string) {
    super();
  }
  override get(key: string): data.ExpressionData | undefined {
    const v = super.get(key);
    if (v === undefined) misses?.add(`${this.path}.${key}`);
    return v;
  }
}

/** A JS value as the engine's data (objects marked with {@link declared} report unknown keys). */
export function toData(v: unknown): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === 'string') return new data.StringData(v);
  if (typeof v === 'number') return new data.NumberData(v);
  if (typeof v === 'boolean') return new data.BooleanData(v);
  if (v instanceof data.Dictionary || v instanceof data.Array || v instanceof data.StringData || v instanceof data.NumberData || v instanceof data.BooleanData || v instanceof data.Null) return v;
  if (Array.isArray(v)) return new data.Array(...v.map(toData));
  if (typeof v === 'object') {
    const path = (v as Declared)[DECLARED];
    const d = path !== undefined ? new DeclaredDictionary(path) : new data.Dictionary();
    for (const [k, val] of Object.entries(v)) d.add(k, toData(val));
    return d;
  }
  return new data.StringData(String(v));
}

/** The engine's data as a JS value. */
export function fromData(d: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(d, data.replacer) ?? 'null') as unknown;
}

/** The status functions of the place an expression is evaluated (job `if:` or step `if:`). */
export interface StatusFunctions {
  success: () => boolean;
  failure: () => boolean;
  cancelled: () => boolean;
}

const NEVER: StatusFunctions = { success: () => true, failure: () => false, cancelled: () => false };
const FUNCTION_INFO = [
  { name: 'always', minArgs: 0, maxArgs: 0 },
  { name: 'success', minArgs: 0, maxArgs: 0 },
  { name: 'failure', minArgs: 0, maxArgs: 0 },
  { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  { name: 'hashFiles', minArgs: 1, maxArgs: 255 },
];

const parsed = new Map<string, Expr>();
function parse(expression: string): Expr {
  let expr = parsed.get(expression);
  if (!expr) {
    const { tokens } = new Lexer(expression).lex();
    // @actions/expressions 0.3.x unescapes only the first '' of a string literal (String.replace); GitHub
    // unescapes all of them. The parser turns a `run:` with `${{ }}` into format('…'), so a script with
    // two quotes would otherwise change.
    for (const t of tokens) if (t.type === TokenType.STRING) t.value = t.lexeme.slice(1, -1).split("''").join("'");
    expr = new Parser(tokens, [...CONTEXT_NAMES], FUNCTION_INFO).parse();
    parsed.set(expression, expr);
  }
  return expr;
}

export interface EvalOptions {
  status?: StatusFunctions;
  /** Collects undeclared references (see {@link declared}). */
  misses?: Set<string>;
  /** Where the expression is, for error messages. */
  where?: string;
}

export class ExpressionFailure extends Error {}

/** Evaluates one expression (without `${{ }}`) in the given contexts. */
export function evaluate(expression: string, contexts: Contexts, opts: EvalOptions = {}): data.ExpressionData {
  const status = opts.status ?? NEVER;
  const fn = (name: string, call: () => data.ExpressionData): [string, FunctionDefinition] => [name, { name, minArgs: 0, maxArgs: 0, call }];
  const functions = new Map<string, FunctionDefinition>([
    fn('always', () => new data.BooleanData(true)),
    fn('success', () => new data.BooleanData(status.success())),
    fn('failure', () => new data.BooleanData(status.failure())),
    fn('cancelled', () => new data.BooleanData(status.cancelled())),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: () => {
          throw new ExpressionFailure('hashFiles() is not supported by the workflow runner');
        },
      },
    ],
  ]);
  const dict = new data.Dictionary();
  for (const name of CONTEXT_NAMES) if (contexts[name] !== undefined) dict.add(name, toData(contexts[name]));
  const previous = misses;
  misses = opts.misses;
  try {
    return new Evaluator(parse(expression), dict, functions).evaluate();
  } catch (e) {
    if (e instanceof ExpressionFailure) throw e;
    throw new ExpressionFailure(`${opts.where ? `${opts.where}: ` : ''}cannot evaluate \`${expression}\`: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    misses = previous;
  }
}

/** `if:` semantics: the expression's truthiness. */
export const evaluateCondition = (expression: string, contexts: Contexts, opts: EvalOptions = {}): boolean => truthy(evaluate(expression, contexts, opts));

/** A template token (literal, `${{ }}` expression, mapping, sequence) as engine data. */
export function evaluateTokenData(token: TemplateToken, contexts: Contexts, opts: EvalOptions = {}): data.ExpressionData {
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, opts);
  if (isString(token)) return new data.StringData(token.value);
  if (isNumber(token)) return new data.NumberData(token.value);
  if (isBoolean(token)) return new data.BooleanData(token.value);
  if (isSequence(token)) {
    const out = new data.Array();
    for (const item of token) out.add(evaluateTokenData(item, contexts, opts));
    return out;
  }
  if (isMapping(token)) {
    const out = new data.Dictionary();
    for (const pair of token) out.add(evaluateTokenData(pair.key, contexts, opts).coerceString(), evaluateTokenData(pair.value, contexts, opts));
    return out;
  }
  if (token.isExpression) throw new ExpressionFailure(`${opts.where ? `${opts.where}: ` : ''}unsupported expression ${token.toString()}`);
  return new data.Null();
}

/** A template token as a JS value. */
export const evaluateToken = (token: TemplateToken, contexts: Contexts, opts: EvalOptions = {}): unknown => fromData(evaluateTokenData(token, contexts, opts));

/** A token as the string the runner would pass (`with:`, `env:`, outputs): engine string coercion. */
export const evaluateString = (token: TemplateToken | undefined, contexts: Contexts, opts: EvalOptions = {}): string =>
  token === undefined ? '' : evaluateTokenData(token, contexts, opts).coerceString();

/** A mapping token (`with:`, `env:`, `outputs:`) as name → string. */
export function evaluateStringMap(token: TemplateToken | undefined, contexts: Contexts, opts: EvalOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (!token) return out;
  if (!isMapping(token)) {
    const v = evaluateTokenData(token, contexts, opts);
    if (!(v instanceof data.Dictionary)) throw new ExpressionFailure(`${opts.where ? `${opts.where}: ` : ''}expected a mapping, got ${v.coerceString()}`);
    for (const p of v.pairs()) out[p.key] = p.value.coerceString();
    return out;
  }
  for (const pair of token) out[evaluateTokenData(pair.key, contexts, opts).coerceString()] = evaluateTokenData(pair.value, contexts, { ...opts, where: `${opts.where ?? ''}.${pair.key.toString()}` }).coerceString();
  return out;
}
