// First: V8's flags are set before the toolkit's HTTP client loads (see lean-exit.ts).
import './lean-exit';
export * from './io';
export * from './context';
export * from './inputs';
export * from './policy';
export * from './entry';
export * from './common-inputs';
export * from './toolkit';
export * from './outputs';
export * from './knobs';
export * from './run-report';
