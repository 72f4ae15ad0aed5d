export * from './client';
export * from './errors';
export * from './variables';
export * from './state-store';
export * from './deployments';
export * from './dispatch';
export * from './runs';
export * from './issues';
