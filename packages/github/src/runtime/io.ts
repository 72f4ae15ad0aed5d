import * as core from '@actions/core';

export interface AnnotationProps {
  title?: string;
  file?: string;
  startLine?: number;
}

/** Everything an action says to the runner. Tests pass a recording fake; the entry passes coreIO(). */
export interface ActionIO {
  getInput(name: string): string;
  setOutput(name: string, value: string | number | boolean): void;
  setSecret(value: string): void;
  debug(message: string): void;
  info(message: string): void;
  notice(message: string, props?: AnnotationProps): void;
  warning(message: string, props?: AnnotationProps): void;
  error(message: string, props?: AnnotationProps): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Appends Markdown to the job summary. */
  summary(markdown: string): Promise<void>;
  setFailed(message: string): void;
}

export function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, String(value)),
    setSecret: (value) => core.setSecret(value),
    debug: (m) => core.debug(m),
    info: (m) => core.info(m),
    notice: (m, p) => core.notice(m, p),
    warning: (m, p) => core.warning(m, p),
    error: (m, p) => core.error(m, p),
    group: (name, fn) => core.group(name, fn),
    summary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
    setFailed: (m) => core.setFailed(m),
  };
}
