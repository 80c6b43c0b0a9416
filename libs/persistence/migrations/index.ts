import { Foundation1764000000000 } from './1764000000000-Foundation';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [Foundation1764000000000];
export const MIGRATIONS_COUNT = MIGRATIONS.length;
