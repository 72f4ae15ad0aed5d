export * from './client';
export * from './errors';
export * from './variables';
export * from './state-store';
export * from './runtime';
export * from './breaker-service';
