/**
 * Actions variables of a repository and of its environments: the same rules on two scopes.
 * GitHub: names `[A-Za-z0-9_]`, not starting with a digit or GITHUB_, case-insensitive (stored upper case);
 * values up to 48 KB; at most 500 variables per repository and 100 per environment; 201 on create, 409 when the
 * name exists, 204 on update and delete, 404 when missing; lists sorted by name, 10 a page by default, at most 30.
 */
import type { Permission, Requirement } from '../auth';
import { HttpError, notFound, validationFailed } from '../errors';
import { variable as render } from '../render';
import type { RequestContext, Route } from '../router';
import type { VariableScope } from '../store';
import { paginate } from './paging';

export const MAX_VALUE_BYTES = 48 * 1024;
/** How many variables GitHub keeps per repository and per environment. */
export const MAX_REPO_VARIABLES = 500;
export const MAX_ENV_VARIABLES = 100;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string): void {
  if (!NAME.test(name) || /^GITHUB_/i.test(name)) {
    throw validationFailed({ resource: 'Variable', field: 'name', code: 'invalid', message: 'Name must only contain alphanumeric characters or underscores, must not start with a number, and must not start with the GITHUB_ prefix.' });
  }
}

function checkValue(value: string): void {
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw validationFailed({ resource: 'Variable', field: 'value', code: 'custom', message: 'Value is too large: variables are limited to 48 KB.' });
  }
}

function checkCount(vars: VariableScope, max: number, where: 'repository' | 'environment'): void {
  if (vars.size >= max) {
    throw validationFailed({ resource: 'Variable', field: 'name', code: 'custom', message: `Maximum number of variables reached: ${where === 'environment' ? 'an' : 'a'} ${where} can have at most ${max} variables.` });
  }
}

function variableRoutes(prefix: string, scope: (ctx: RequestContext) => VariableScope, permission: Permission, max: number, where: 'repository' | 'environment'): Route[] {
  const item = `${prefix}/{name}`;
  const read: Requirement = [permission, 'read'];
  const write: Requirement = [permission, 'write'];
  const existing = (ctx: RequestContext) => {
    const v = scope(ctx).get(ctx.params.name!);
    if (!v) throw notFound();
    return v;
  };
  return [
    {
      method: 'GET',
      template: prefix,
      requires: read,
      handler: (ctx) => {
        const all = scope(ctx).list();
        const page = paginate(ctx, all, { perPage: 10, max: 30 });
        return { status: 200, body: { total_count: all.length, variables: page.items.map(render) }, headers: page.headers };
      },
    },
    {
      method: 'POST',
      template: prefix,
      requires: write,
      handler: (ctx) => {
        const { name, value } = ctx.body as { name: string; value: string };
        checkName(name);
        checkValue(value);
        const vars = scope(ctx);
        if (vars.has(name)) throw new HttpError(409, 'Already exists - Variable already exists');
        checkCount(vars, max, where);
        vars.set(name, value);
        return { status: 201, body: {} };
      },
    },
    { method: 'GET', template: item, requires: read, handler: (ctx) => ({ status: 200, body: render(existing(ctx)) }) },
    {
      method: 'PATCH',
      template: item,
      requires: write,
      handler: (ctx) => {
        const v = existing(ctx);
        const { name, value } = ctx.body as { name?: string; value?: string };
        if (value !== undefined) checkValue(value);
        if (name !== undefined && name.toUpperCase() !== v.name) {
          checkName(name);
          if (scope(ctx).has(name)) throw new HttpError(409, 'Already exists - Variable already exists');
          scope(ctx).rename(v.name, name);
        }
        if (value !== undefined) scope(ctx).set(v.name, value);
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      template: item,
      requires: write,
      handler: (ctx) => {
        scope(ctx).delete(existing(ctx).name);
        return { status: 204 };
      },
    },
  ];
}

const environment = (ctx: RequestContext) => {
  const env = ctx.repo.environment(ctx.params.environment_name!);
  if (!env) throw notFound();
  return env.variables;
};

export const variablesRoutes: Route[] = [
  ...variableRoutes('/repos/{owner}/{repo}/actions/variables', (ctx) => ctx.repo.variables, 'variables', MAX_REPO_VARIABLES, 'repository'),
  ...variableRoutes('/repos/{owner}/{repo}/environments/{environment_name}/variables', environment, 'environments', MAX_ENV_VARIABLES, 'environment'),
];
