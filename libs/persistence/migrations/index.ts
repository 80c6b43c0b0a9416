import { Foundation1764000000000 } from './1764000000000-Foundation';
import { Workflow1764100000000 } from './1764100000000-Workflow';

/** Every migration, oldest first. A new migration is added here and nowhere else. */
export const MIGRATIONS = [Foundation1764000000000, Workflow1764100000000];
export const MIGRATIONS_COUNT = MIGRATIONS.length;
