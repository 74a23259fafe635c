export * from './describe';
export * from './stopping';
export * from './bootstrap';
