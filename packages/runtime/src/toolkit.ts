import * as core from '@actions/core';
import type { ActionIO, AnnotationProps } from './io';

const annotation = (p?: AnnotationProps): core.AnnotationProperties => ({ title: p?.title, file: p?.file, startLine: p?.startLine });

/** The runner protocol through @actions/core: inputs, outputs, masks, annotations, groups, the job summary. */
export function toolkitIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => {
      if (value) core.setSecret(value);
    },
    debug: (m) => core.debug(m),
    info: (m) => core.info(m),
    notice: (m, p) => core.notice(m, annotation(p)),
    warning: (m, p) => core.warning(m, annotation(p)),
    error: (m, p) => core.error(m, annotation(p)),
    group: (name, fn) => core.group(name, fn),
    summary: async (markdown) => {
      // Outside a runner (no GITHUB_STEP_SUMMARY) there is no summary to append to.
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, !markdown.endsWith('\n')).write();
    },
    setFailed: (m) => core.setFailed(m),
  };
}
