export * from './errors';
export * from './violations';
