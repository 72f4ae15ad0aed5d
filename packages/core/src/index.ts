export * from './duration';
export * from './errors';
export * from './schema-kit';
export * from './policy';
export * from './scope';
export * from './state';
export * from './budget';
export * from './breaker';
export * from './state-ops';
export * from './breaker-report';
export * from './redact';
// Domain modules, one folder each:
export * from './health';
export * from './classify';
export * from './decision';
export * from './incident';
export * from './release';
export * from './kpi';
