export * from './service';
export * from './inputs';
export * from './action';
