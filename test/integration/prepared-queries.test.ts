import type { DataSource } from 'typeorm';
import { createDataSource, preparedQueries, preparedQuery } from '@koryu/persistence';
import { createTestDatabase, type TestDatabase } from '@koryu/testing';

/** The worker's event path sends its statements as named prepared statements, at most 200 per connection. */
let database: TestDatabase;
let source: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  source = createDataSource({ url: database.url, poolSize: 1 });
  await source.initialize();
});

afterAll(async () => {
  await source.destroy();
  await database.drop();
});

const preparedOnThisSession = `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'koryu-%'`;

it('prepares each statement once on the transaction’s connection and answers its rows', async () => {
  const answers = await source.transaction(async (tx) => {
    const query = preparedQueries(tx);
    const first = await query<{ n: number }>('SELECT $1::int + 1 AS n', [1]);
    const second = await query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
    const prepared = await tx.query(preparedOnThisSession);
    return { first, second, prepared: prepared[0].n };
  });
  expect(answers).toEqual({ first: [{ n: 2 }], second: [{ n: 42 }], prepared: 1 });
});

it('names a text the same on the pool and in a transaction, so the connection prepares it once', async () => {
  const text = 'SELECT $1::int * 3 AS n';
  expect(await preparedQuery<{ n: number }>(source, text, [2])).toEqual([{ n: 6 }]);
  const prepared = await source.transaction(async (tx) => {
    expect(await preparedQueries(tx)<{ n: number }>(text, [3])).toEqual([{ n: 9 }]);
    return (await tx.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [text]))[0].n as number;
  });
  expect(prepared).toBe(1);
});

it('sends statements unnamed once a connection holds 200 of its own, so texts with values in them cannot grow a session without bound', async () => {
  const prepared = await source.transaction(async (tx) => {
    const query = preparedQueries(tx);
    for (let i = 0; i < 250; i += 1) expect(await query<{ n: number }>(`SELECT ${i}::int + $1::int AS n`, [1])).toEqual([{ n: i + 1 }]);
    return (await tx.query(preparedOnThisSession))[0].n as number;
  });
  // The one of the first test is on the same (only) connection.
  expect(prepared).toBe(200);
});

it('outside a transaction runs the statement as the manager does', async () => {
  expect(await preparedQueries(source.manager)<{ n: number }>('SELECT $1::int * 2 AS n', [21])).toEqual([{ n: 42 }]);
});
