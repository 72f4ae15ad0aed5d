export * from './breaker';
export * from './classify-run';
export * from './redeploy';
export * from './evaluation';
export * from './health';
export * from './incident-issue';
