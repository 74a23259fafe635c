export * from './predictions';
export * from './metrics';
export * from './drop';
export * from './score';
