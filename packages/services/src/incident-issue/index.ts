export * from './service';
export * from './inputs';
