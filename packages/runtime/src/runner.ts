import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { EOL } from 'node:os';
import type { ActionIO, AnnotationProps } from './io';

/**
 * The Actions runner's protocol — inputs from INPUT_* variables, workflow commands on stdout
 * (`::error title=…::msg`), and the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files — written out directly.
 *
 * Why not @actions/core: its entry module statically imports its OIDC client and through it an HTTP
 * stack (undici), which no recovery action uses; in an ncc bundle that is 490 KB and about 80 ms of
 * start-up on every run. The protocol is small and documented; the runner harness tests check this
 * implementation against the format @actions/core writes.
 */

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function command(name: string, message: string, props: Record<string, string | number | undefined> = {}): void {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  process.stdout.write(`::${name}${p ? ` ${p}` : ''}::${escapeData(message)}${EOL}`);
}

function annotationProps(props?: AnnotationProps): Record<string, string | number | undefined> {
  return { title: props?.title, file: props?.file, line: props?.startLine };
}

function fileCommand(envVar: string, key: string, value: string): boolean {
  const file = process.env[envVar];
  if (!file) return false;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (key.includes(delimiter) || value.includes(delimiter)) throw new Error(`unexpected delimiter in ${key}`);
  appendFileSync(file, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  return true;
}

export function getInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function runnerIO(): ActionIO {
  const io: ActionIO = {
    getInput: (name) => getInput(name),
    setOutput: (name, value) => {
      if (!fileCommand('GITHUB_OUTPUT', name, String(value))) command('set-output', String(value), { name });
    },
    setSecret: (value) => {
      if (value) command('add-mask', value);
    },
    debug: (m) => command('debug', m),
    info: (m) => process.stdout.write(`${m}${EOL}`),
    notice: (m, p) => command('notice', m, annotationProps(p)),
    warning: (m, p) => command('warning', m, annotationProps(p)),
    error: (m, p) => command('error', m, annotationProps(p)),
    group: async (name, fn) => {
      process.stdout.write(`::group::${escapeData(name)}${EOL}`);
      try {
        return await fn();
      } finally {
        process.stdout.write(`::endgroup::${EOL}`);
      }
    },
    summary: async (markdown) => {
      const file = process.env.GITHUB_STEP_SUMMARY;
      if (file) appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}${EOL}`, 'utf8');
    },
    setFailed: (m) => {
      process.exitCode = 1;
      command('error', m);
    },
  };
  return io;
}
