import { createHash } from 'node:crypto';
import type { ClientConfig, Pool, PoolClient, QueryResultRow } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { Multiplexer, type MultiplexerOptions } from './multiplexer';

const nameOf = new Map<string, string>();

/** A prepared statement's name: a hash of its text, so one text has one name on every connection. */
function statementName(text: string): string {
  let name = nameOf.get(text);
  if (!name) {
    name = `koryu-${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (nameOf.size < 10_000) nameOf.set(text, name);
  }
  return name;
}

const multiplexers = new WeakMap<DataSource, Multiplexer>();

/**
 * Sends this DataSource's preparedQuery statements through a Multiplexer (pipelined connections
 * beside its pool) instead of the pool; the caller closes it with closeMultiplexer at shutdown.
 */
export function attachMultiplexer(dataSource: DataSource, options: Omit<MultiplexerOptions, 'connection'>): Multiplexer {
  const pool = (dataSource.driver as PostgresDriver).master as Pool & { options: ClientConfig & { connectionTimeoutMillis?: number } };
  const multiplexer = new Multiplexer({ connection: pool.options, waitMs: pool.options.connectionTimeoutMillis, ...options });
  multiplexers.set(dataSource, multiplexer);
  return multiplexer;
}

export async function closeMultiplexer(dataSource: DataSource): Promise<void> {
  const multiplexer = multiplexers.get(dataSource);
  multiplexers.delete(dataSource);
  await multiplexer?.close();
}

/**
 * Runs a hot-path statement (authentication, case reads and writes) as a named prepared statement:
 * PostgreSQL parses and plans it once per connection instead of on every request. It goes through
 * the DataSource's Multiplexer where one is attached (every Koryu service attaches one), otherwise
 * through TypeORM's own `pg` pool. Either way it is one statement in its own transaction.
 * Parameters are serialised exactly as `dataSource.query` does (objects as JSON, arrays as
 * PostgreSQL arrays), and driver errors keep their SQLSTATE for the error classifier. The text
 * must carry values as parameters only.
 */
export async function preparedQuery<T>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const multiplexer = multiplexers.get(dataSource);
  if (multiplexer) return multiplexer.query<T & QueryResultRow>(statementName(text), text, values);
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query({ name: statementName(text), text, values });
  return result.rows as T[];
}

/** Distinct statements one connection prepares through preparedQueries before it sends the rest unnamed. */
const PREPARED_PER_CONNECTION = 200;
const preparedOn = new WeakMap<object, Set<string>>();

/**
 * A query function on a transaction's own connection that sends each statement as a named prepared
 * statement, named by a hash of its text: PostgreSQL parses and plans it once per connection. For
 * the worker's event path, whose statements (long CTEs, run for every batch of events) cost
 * PostgreSQL more to plan than to run. Texts must carry values as parameters only; beyond
 * PREPARED_PER_CONNECTION distinct texts a connection sends the rest unnamed, so one that embeds
 * values cannot grow the session without bound. Outside a transaction it is `manager.query`.
 */
export function preparedQueries(manager: EntityManager): <T>(text: string, params: unknown[]) => Promise<T[]> {
  const runner = manager.queryRunner as PostgresQueryRunner | undefined;
  if (!runner?.isTransactionActive) return (text, params) => manager.query(text, params);
  return async <T>(text: string, params: unknown[]): Promise<T[]> => {
    // The transaction's connection (connect() answers the one it holds).
    const client = (await runner.connect()) as PoolClient;
    const name = statementName(text);
    let prepared = preparedOn.get(client);
    if (!prepared) preparedOn.set(client, (prepared = new Set()));
    if (!prepared.has(name) && prepared.size >= PREPARED_PER_CONNECTION) return (await client.query(text, params)).rows as T[];
    prepared.add(name);
    return (await client.query({ name, text, values: params })).rows as T[];
  };
}
