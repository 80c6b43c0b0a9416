import { Client } from 'pg';
import { createDataSource, DEMO_ACCOUNTS, MIGRATIONS_COUNT, prepareDatabase } from '@koryu/persistence';
import { createTestDatabase, type TestDatabase } from '@koryu/testing';

/** research T16: replicas starting together against an empty database migrate and seed once. */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

it('runs migrations and seeds demo data exactly once when four processes start at the same moment', async () => {
  const sources = Array.from({ length: 4 }, () => createDataSource({ url: database.url, poolSize: 2 }));
  await Promise.all(sources.map((s) => s.initialize()));
  const reports = await Promise.all(
    sources.map((s) => prepareDatabase(s, { demo: true, adminEmail: 'boot@koryu.test', adminPassword: 'bootstrap-password', log: () => undefined })),
  );
  await Promise.all(sources.map((s) => s.destroy()));

  expect(reports.filter((r) => r.migrations.length > 0)).toHaveLength(1);
  expect(reports.filter((r) => r.demoSeeded)).toHaveLength(1);
  expect(reports.filter((r) => r.bootstrapAdmin)).toHaveLength(1);

  const client = new Client({ connectionString: database.url });
  await client.connect();
  const migrations = await client.query('SELECT name FROM migrations');
  const users = await client.query('SELECT count(*)::int AS n FROM app_user');
  await client.end();
  expect(migrations.rowCount).toBe(MIGRATIONS_COUNT);
  expect(users.rows[0].n).toBe(DEMO_ACCOUNTS.length + 1);
});

it('does nothing on a second start: no migration, no bootstrap admin, no demo data', async () => {
  const source = createDataSource({ url: database.url });
  await source.initialize();
  const report = await prepareDatabase(source, { demo: true, adminEmail: 'other@koryu.test', adminPassword: 'bootstrap-password', log: () => undefined });
  await source.destroy();
  expect(report).toEqual({ migrations: [], bootstrapAdmin: false, demoSeeded: false });
});
