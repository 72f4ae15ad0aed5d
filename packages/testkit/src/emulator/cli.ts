/**
 * Starts the GitHub API emulator for manual use:
 *
 *   npx tsx packages/testkit/src/emulator/cli.ts --port 0 --repo octo/app [--repo octo/other] [--token tok] [--time-scale 10] [--no-validate] [--quiet]
 *
 * Prints the URL, then one line per request (unless --quiet), and the OpenAPI violations on exit (Ctrl-C).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN, startEmulator } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    repo: { type: 'string', multiple: true, default: ['octo/app'] },
    token: { type: 'string', multiple: true, default: [] },
    'time-scale': { type: 'string', default: '1' },
    'no-validate': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log('usage: tsx packages/testkit/src/emulator/cli.ts [--port N] [--repo owner/name]... [--token T]... [--time-scale N] [--no-validate] [--quiet]');
  process.exit(0);
}

const port = Number(values.port);
const timeScale = Number(values['time-scale']);
if (!Number.isInteger(port) || port < 0 || !(timeScale > 0)) {
  console.error('--port needs a port number (0: any free port) and --time-scale a positive number');
  process.exit(2);
}

const emu = await startEmulator({ port, timeScale, validate: !values['no-validate'] });
for (const name of values.repo) emu.createRepo(name);
for (const t of values.token) emu.addToken(t);

console.log(emu.url);
console.error(`GitHub API emulator: repositories ${values.repo.join(', ')}; tokens ${[DEFAULT_TOKEN, ...values.token].join(', ')} (all permissions)`);
console.error(`  GITHUB_API_URL=${emu.url} GITHUB_TOKEN=${DEFAULT_TOKEN}`);

let printed = 0;
const flush = () => {
  for (; printed < emu.log.length; printed++) {
    const e = emu.log[printed]!;
    if (e.status === 0 && !e.fault) break; // still in flight
    console.error(`${new Date(e.at).toISOString()} ${e.method} ${e.path}${e.query ? `?${e.query}` : ''} → ${e.status}${e.fault ? ` (${e.fault})` : ''}`);
  }
};
const ticker = values.quiet ? undefined : setInterval(flush, 100);

const stop = async () => {
  if (ticker) clearInterval(ticker);
  if (!values.quiet) flush();
  await emu.close();
  for (const v of emu.violations) console.error(`OpenAPI violation (${v.kind}) ${v.method} ${v.path}: ${v.problems.join('; ')}`);
  process.exit(emu.violations.length ? 1 : 0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
