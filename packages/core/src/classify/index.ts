export * from './rules';
export * from './classifier';
