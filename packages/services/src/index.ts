export * from './breaker-service';
export * from './classify-run';
export * from './redeploy';
