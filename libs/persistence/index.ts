export * from './data-source';
export * from './database-setup';
export * from './demo-accounts';
export * from './password-hasher';
export * from './entities/organisation.entity';
export * from './entities/user.entity';
export * from './entities/audit-log.entity';
export { MIGRATIONS, MIGRATIONS_COUNT } from './migrations';
export * from './prepared';
