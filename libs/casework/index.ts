export * from './facts';
export * from './deadlines';
export * from './reminders';
