export * from './engine';
export * from './session';
export * from './report';
export * from './gate';
export * from './approval';
