export * from './marker';
export * from './inputs';
export * from './render';
export * from './webhook';
export * from './mttr';
