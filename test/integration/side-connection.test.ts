import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, SideConnection } from '@koryu/persistence';
import { createTestDatabase, type TestDatabase } from '@koryu/testing';

/**
 * The session beside the pool that carries the outbox relay's wake-ups: it answers while every
 * pooled connection is busy, and comes back after PostgreSQL ends it.
 */
let database: TestDatabase;
let source: DataSource;
let observer: Client;

beforeAll(async () => {
  database = await createTestDatabase();
  source = createDataSource({ url: database.url, poolSize: 1 });
  await source.initialize();
  observer = new Client({ connectionString: database.url });
  await observer.connect();
});

afterAll(async () => {
  await observer.end();
  await source.destroy();
  await database.drop();
});

const sessions = async (name: string) =>
  (await observer.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [name])).rows.map((row) => row.pid);

it('runs a statement while the pool’s only connection is held, and reconnects after its session is ended', async () => {
  const side = new SideConnection(source, 'koryu-side-test');
  const heard: string[] = [];
  await observer.query('LISTEN side_test');
  observer.on('notification', (message) => heard.push(message.channel));

  // The pool's one connection is busy for a second; the side connection does not wait for it.
  const busy = source.query('SELECT pg_sleep(1)');
  const started = Date.now();
  await side.query(`SELECT pg_notify('side_test', '')`);
  expect(Date.now() - started).toBeLessThan(900);
  await busy;

  const [first] = await sessions('koryu-side-test');
  expect(first).toBeDefined();
  await observer.query('SELECT pg_terminate_backend($1)', [first]);
  // The statement that finds the session gone fails (or the error event dropped it already); the next one opens another.
  await side.query(`SELECT pg_notify('side_test', '')`).catch(() => undefined);
  await side.query(`SELECT pg_notify('side_test', '')`);
  let after = await sessions('koryu-side-test');
  for (let i = 0; i < 50 && after.includes(first); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    after = await sessions('koryu-side-test');
  }
  expect(after).toHaveLength(1);
  expect(after[0]).not.toBe(first);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(heard.length).toBeGreaterThanOrEqual(2);

  await side.close();
  await expect(side.query('SELECT 1')).rejects.toThrow('closed');
  // The backend leaves pg_stat_activity once it has exited, a moment after the socket closes.
  for (let i = 0; i < 50 && (await sessions('koryu-side-test')).length > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await sessions('koryu-side-test')).toEqual([]);
});
