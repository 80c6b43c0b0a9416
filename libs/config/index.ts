export * from './environment';
export * from './jwt-secret';
