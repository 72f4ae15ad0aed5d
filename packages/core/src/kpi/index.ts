export * from './compute';
export * from './footer';
export * from './incidents';
export * from './availability';
export * from './history';
