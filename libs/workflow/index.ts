export * from './definition';
export * from './check-definition';
export * from './engine';
export * from './registry';
export * from './form';
export * from './programs';
export * from './form-schema';
