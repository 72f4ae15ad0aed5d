export * from './io';
export * from './context';
export * from './inputs';
export * from './policy';
export * from './entry';
export * from './common-inputs';
export * from './toolkit';
export * from './outputs';
