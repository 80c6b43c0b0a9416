export * from './facts';
export * from './deadlines';
