export * from './service';
export * from './inputs';
export * from './health';
export * from './steps';
