export * from './types';
export * from './options';
export * from './targets';
export * from './assert';
export * from './aggregate';
export * from './window';
export * from './summary';
export * from './probe-env';
