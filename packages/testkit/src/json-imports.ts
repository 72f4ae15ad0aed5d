import { register } from 'node:module';

/**
 * @actions/workflow-parser (and @actions/expressions) import their JSON schemas without the
 * `with { type: 'json' }` attribute Node requires; bundlers accept that, Node's loader does not, and vitest
 * hands node_modules to Node's loader. This registers a loader hook that adds the attribute for JSON files
 * under node_modules/@actions/. Import this module before them (vitest evaluates imports in order).
 */

const HOOKS = `
export async function load(url, context, next) {
  if (url.endsWith('.json') && url.includes('/node_modules/@actions/') && !context.importAttributes?.type) {
    return next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return next(url, context);
}
`;

const FLAG = Symbol.for('recovery.test.json-import-hook');
const g = globalThis as { [FLAG]?: boolean };
if (!g[FLAG]) {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  g[FLAG] = true;
}
