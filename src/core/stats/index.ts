export * from './describe';
export * from './stopping';
export * from './bootstrap';
export * from './blocks';
export * from './significance';
