import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { attachMultiplexer, closeMultiplexer, createDataSource, Multiplexer, preparedQuery } from '@koryu/persistence';
import { isDatabaseUnreachable } from '@koryu/platform';
import { createTestDatabase, type TestDatabase } from '@koryu/testing';

/** Hot-path statements from many callers, pipelined over a few shared connections (Multiplexer). */
let database: TestDatabase;
let admin: Client;
const opened: Multiplexer[] = [];

function multiplexer(options: Partial<ConstructorParameters<typeof Multiplexer>[0]> = {}): Multiplexer {
  const made = new Multiplexer({ connection: { connectionString: database.url, application_name: 'koryu-multiplexer-test' }, size: 2, ...options });
  opened.push(made);
  return made;
}

const backends = async () =>
  (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'koryu-multiplexer-test' AND datname = current_database()`)).rows.map((r) => r.pid);

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new Client({ connectionString: database.url });
  await admin.connect();
  await admin.query('CREATE TABLE item (n int PRIMARY KEY)');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.close()));
  await admin.query('TRUNCATE item');
});

afterAll(async () => {
  await admin.end();
  await database.drop();
});

it('answers each of many concurrent statements with its own rows, over no more connections than its size', async () => {
  const shared = multiplexer({ size: 2, depth: 3 });
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => shared.query<{ n: number }>('mux-add', 'SELECT $1::int + 1 AS n', [i])));
  expect(answers.map(([row]) => row.n)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  expect(shared.open).toBe(2);
  expect(await backends()).toHaveLength(2);
});

it('opens a second connection only when the first is busy', async () => {
  const shared = multiplexer({ size: 4 });
  for (let i = 0; i < 5; i += 1) await shared.query('mux-one', 'SELECT 1', []);
  expect(shared.open).toBe(1);
});

it('fails only the statement that erred: each statement is its own transaction, committed or rolled back alone', async () => {
  const shared = multiplexer({ size: 1, depth: 10 });
  const insert = (n: number) => shared.query('mux-insert', 'INSERT INTO item (n) VALUES ($1) RETURNING n', [n]);
  const outcomes = await Promise.allSettled([insert(1), insert(2), insert(1), insert(3), shared.query('mux-divide', 'SELECT 1 / $1::int AS q', [0]), insert(4)]);
  expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as { code?: string }).code))).toEqual(['ok', 'ok', '23505', 'ok', '22012', 'ok']);
  expect((await admin.query<{ n: number }>('SELECT n FROM item ORDER BY n')).rows.map((r) => r.n)).toEqual([1, 2, 3, 4]);
});

it('keeps a statement beyond its depth waiting, and fails it after waitMs with the message the pool gives (answered 503)', async () => {
  const shared = multiplexer({ size: 1, depth: 1, waitMs: 200 });
  const slow = shared.query('mux-sleep', 'SELECT pg_sleep(1.5)', []);
  const started = Date.now();
  const waited = await shared.query('mux-one', 'SELECT 1', []).catch((error: Error) => error);
  expect(waited).toBeInstanceOf(Error);
  expect((waited as Error).message).toBe('timeout exceeded when trying to connect');
  expect(isDatabaseUnreachable(waited)).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  expect(Date.now() - started).toBeLessThan(1_400);
  await expect(slow).resolves.toHaveLength(1);
});

it('serves waiting statements in order as room frees up', async () => {
  const shared = multiplexer({ size: 1, depth: 1 });
  const order: number[] = [];
  await Promise.all([0, 1, 2, 3].map((i) => shared.query('mux-add', 'SELECT $1::int + 1 AS n', [i]).then(() => order.push(i))));
  expect(order).toEqual([0, 1, 2, 3]);
});

it('drops a connection the server ended: its statement fails as unreachable, and the next one opens another connection', async () => {
  const shared = multiplexer({ size: 1 });
  await shared.query('mux-one', 'SELECT 1', []);
  const [pid] = await backends();
  const running = shared.query('mux-sleep', 'SELECT pg_sleep(5)', []).catch((error: Error) => error);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  const failure = await running;
  expect(isDatabaseUnreachable(failure)).toBe(true);
  expect(await shared.query<{ n: number }>('mux-add', 'SELECT $1::int + 1 AS n', [41])).toEqual([{ n: 42 }]);
  const [now] = await backends();
  expect(now).toBeDefined();
  expect(now).not.toBe(pid);
});

it('sends a statement that took a connection dropped before the statement was written over another connection', async () => {
  const m = multiplexer({ size: 1 });
  expect(await m.query(undefined, 'SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
  // The statement takes the only connection, then waits a turn for it to be ready; in that turn the
  // connection's socket fails (as when the server ends every session at once) and it is dropped.
  const statement = m.query(undefined, 'SELECT 2 AS two', []);
  const [connection] = (m as unknown as { connections: { client: Client }[] }).connections;
  connection.client.emit('error', new Error('the socket failed'));
  // Nothing of it was sent, so it goes over a new connection instead of failing on the closed one.
  expect(await statement).toEqual([{ two: 2 }]);
  expect(m.open).toBe(1);
});

it('answers a refused connection with its error, keeping no broken connection', async () => {
  const refused = new Multiplexer({ connection: { host: '127.0.0.1', port: 1, connectionTimeoutMillis: 1_000 }, size: 2 });
  opened.push(refused);
  const error = await refused.query('mux-one', 'SELECT 1', []).catch((e: Error) => e);
  expect(isDatabaseUnreachable(error)).toBe(true);
  expect(refused.open).toBe(0);
});

it('closes after the statements in flight have answered; later ones are refused', async () => {
  const shared = multiplexer({ size: 1 });
  const running = shared.query<{ n: number }>('mux-late', 'SELECT 7 AS n FROM pg_sleep(0.2)', []);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await shared.close();
  await expect(running).resolves.toEqual([{ n: 7 }]);
  await expect(shared.query('mux-one', 'SELECT 1', [])).rejects.toThrow(/closed/);
  expect(await backends()).toEqual([]);
});

describe('preparedQuery', () => {
  let source: DataSource;

  beforeAll(async () => {
    source = createDataSource({ url: database.url, poolSize: 1, applicationName: 'koryu-pool-test' });
    await source.initialize();
  });

  afterAll(async () => {
    await closeMultiplexer(source);
    await source.destroy();
  });

  it('goes through the multiplexer attached to the DataSource, and through the pool once it is closed', async () => {
    const attached = attachMultiplexer(source, { size: 1 });
    expect(await preparedQuery<{ n: number }>(source, 'SELECT $1::int * 2 AS n', [21])).toEqual([{ n: 42 }]);
    expect(attached.open).toBe(1);
    await closeMultiplexer(source);
    expect(attached.open).toBe(0);
    expect(await preparedQuery<{ n: number }>(source, 'SELECT $1::int * 2 AS n', [4])).toEqual([{ n: 8 }]);
  });
});
