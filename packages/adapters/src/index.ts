export * from './client';
export * from './errors';
export * from './variables';
export * from './state-store';
export * from './deployments';
export * from './runs';
export * from './issues';
export * from './packages';
