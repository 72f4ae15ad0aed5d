/**
 * The two halves of the Actions runner protocol that a JavaScript action writes, parsed the way the runner
 * (actions/runner, FileCommandManager.cs and ActionCommandManager.cs) parses them:
 *
 * - file commands: GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV (`name=value` lines and `name<<DELIM … DELIM` blocks)
 *   and GITHUB_PATH (one directory a line);
 * - workflow commands on stdout/stderr: `::error title=x,file=y::message`, `::add-mask::value`, ….
 */

export interface Annotation {
  level: 'error' | 'warning' | 'notice' | 'debug';
  message: string;
  properties: Record<string, string>;
}

/** One workflow command the runner would have acted on. */
export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
  stream: 'stdout' | 'stderr';
}

export interface FileCommandParse {
  values: Record<string, string>;
  /** Format errors; the runner fails the step on any of them (values read before the error are kept). */
  errors: string[];
}

/** Reads one line like the runner on Linux: split at `\n` only (a `\r` before it stays in the line). */
function readLine(text: string, pos: { index: number }): { line: string; newline: boolean } | undefined {
  if (pos.index >= text.length) return undefined;
  const start = pos.index;
  const lf = text.indexOf('\n', start);
  if (lf < 0) {
    pos.index = text.length;
    return { line: text.slice(start), newline: false };
  }
  pos.index = lf + 1;
  return { line: text.slice(start, lf), newline: true };
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file. Whichever of `=` and `<<` comes first in a line
 * decides its style; a heredoc value runs up to (not including) the line break before the delimiter line.
 * Later values of the same name win.
 */
export function readFileCommands(text: string): FileCommandParse {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  const pos = { index: 0 };
  for (let l = readLine(text, pos); l; l = readLine(text, pos)) {
    const line = l.line;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const key = line.slice(0, eq);
      if (!key) {
        errors.push(`Invalid format '${line}'. Name must not be empty`);
        break;
      }
      values[key] = line.slice(eq + 1);
    } else if (heredoc >= 0) {
      const key = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!key || !delimiter) {
        errors.push(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
        break;
      }
      const start = pos.index;
      let end = pos.index;
      let found = false;
      let error: string | undefined;
      for (let t = readLine(text, pos); ; t = readLine(text, pos)) {
        if (!t) {
          error = `Invalid value. Matching delimiter not found '${delimiter}'`;
          break;
        }
        if (t.line === delimiter) {
          found = true;
          break;
        }
        if (!t.newline) {
          error = 'Invalid value. EOF marker missing new line.';
          break;
        }
        end = pos.index - 1;
      }
      if (!found) {
        errors.push(error!);
        break;
      }
      values[key] = end > start ? text.slice(start, end) : '';
    } else {
      errors.push(`Invalid format '${line}'`);
      break;
    }
  }
  return { values, errors };
}

/** {@link readFileCommands} without the errors (values read before a format error are returned). */
export function parseFileCommands(text: string): Record<string, string> {
  return readFileCommands(text).values;
}

/** GITHUB_PATH: one directory a line. */
export function parsePathFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

// The runner's escape tables, unescaped in this order (ActionCommand.cs): `%25` last, so `%250A` stays `%0A`.
const DATA_ESCAPES: Array<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const PROPERTY_ESCAPES: Array<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const unescape = (s: string, table: Array<[string, string]>) => table.reduce((acc, [from, to]) => acc.split(from).join(to), s);
export const unescapeData = (s: string) => unescape(s, DATA_ESCAPES);
export const unescapeProperty = (s: string) => unescape(s, PROPERTY_ESCAPES);

/** Commands the runner registers (ActionCommandManager); any other `::x::` line is plain log text. */
export const RUNNER_COMMANDS = new Set([
  'set-env',
  'set-output',
  'save-state',
  'add-path',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
]);

/** Parses one log line as the runner does (ActionCommand.TryParseV2), or undefined when it is no command. */
export function parseCommandLine(input: string, registered: ReadonlySet<string> = RUNNER_COMMANDS): Omit<WorkflowCommand, 'stream'> | undefined {
  const message = input.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const prop of info.slice(space + 1).trim().split(',')) {
      if (!prop) continue;
      const eq = prop.indexOf('=');
      // The runner splits at the first `=` dropping empty parts: `k=` and `=v` are ignored.
      if (eq <= 0 || eq === prop.length - 1) continue;
      properties[prop.slice(0, eq)] = unescapeProperty(prop.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(message.slice(end + 2)) };
}

/**
 * Parses the workflow commands in a step's output, honouring `::stop-commands::TOKEN` … `::TOKEN::` like
 * the runner. Both streams are scanned (the runner reads commands from stdout and stderr); stdout first.
 */
export function parseWorkflowCommands(stdout: string, stderr = ''): { commands: WorkflowCommand[]; annotations: Annotation[]; masks: string[] } {
  const commands: WorkflowCommand[] = [];
  const registered = new Set(RUNNER_COMMANDS);
  let stopToken: string | undefined;
  for (const [stream, text] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\r$/, '');
      const cmd = parseCommandLine(line, registered);
      if (!cmd) continue;
      if (stopToken !== undefined) {
        if (cmd.command === stopToken) {
          registered.delete(stopToken);
          stopToken = undefined;
        }
        continue;
      }
      if (cmd.command === 'stop-commands' && cmd.data) {
        stopToken = cmd.data;
        registered.add(stopToken);
        continue;
      }
      commands.push({ ...cmd, stream });
    }
  }
  const annotations: Annotation[] = [];
  const masks: string[] = [];
  for (const c of commands) {
    if (c.command === 'add-mask' && c.data.trim() !== '') masks.push(c.data);
    if (c.command === 'error' || c.command === 'warning' || c.command === 'notice' || c.command === 'debug') {
      annotations.push({ level: c.command, message: c.data, properties: c.properties });
    }
  }
  return { commands, annotations, masks };
}

/** Back-compatible name: annotations and masks from stdout. */
export function parseCommands(stdout: string): { annotations: Annotation[]; masks: string[] } {
  const { annotations, masks } = parseWorkflowCommands(stdout);
  return { annotations, masks };
}

/** What the runner's log shows: every registered secret replaced by `***` (longest first). */
export function maskSecrets(text: string, masks: readonly string[]): string {
  let out = text;
  for (const m of [...masks].sort((a, b) => b.length - a.length)) if (m) out = out.split(m).join('***');
  return out;
}
