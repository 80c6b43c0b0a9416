import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs a hot-path statement (authentication, case reads and writes) as a named prepared statement
 * on TypeORM's own `pg` pool: PostgreSQL parses and plans it once per connection instead of on
 * every request. Parameters are serialised exactly as `dataSource.query` does (objects as JSON,
 * arrays as PostgreSQL arrays), and driver errors keep their SQLSTATE for the error classifier.
 * `name` must be unique per statement text.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
