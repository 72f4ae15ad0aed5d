export interface AnnotationProps {
  title?: string;
  file?: string;
  startLine?: number;
}

/** Everything an action says to the runner. Tests pass a recording fake; the entry passes toolkitIO() (@actions/core). */
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
