export * from './duration';
export * from './errors';
export * from './schema-kit';
export * from './policy';
export * from './state';
export * from './breaker';
export * from './scope';
export * from './breaker-report';
