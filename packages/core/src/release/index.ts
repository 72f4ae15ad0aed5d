export * from './candidates';
export * from './placeholders';
export * from './polling';
export * from './record';
export * from './report';
export * from './dispatch-match';
export * from './image';
