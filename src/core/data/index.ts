export * from './npy';
export * from './inputs';
export * from './dataset';
export * from './labels';
export * from './synthetic';
export * from './inputShapes';
