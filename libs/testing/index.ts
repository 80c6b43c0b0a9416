export * from './api-under-test';
export * from './http-client';
export * from './test-database';
export * from './processes';
export * from './role-matrix';
export * from './fixtures';
export * from './browser';
export * from './row-locks';
