export * from './queue-names';
export * from './connection';
export * from './canary';
export * from './events';
export * from './outbox-waker';
