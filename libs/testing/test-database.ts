import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export function testServerUrls(): { database: string; redis: string } {
  const database = process.env.KORYU_TEST_DATABASE_URL;
  const redis = process.env.KORYU_TEST_REDIS_URL;
  if (!database || !redis) throw new Error('KORYU_TEST_DATABASE_URL and KORYU_TEST_REDIS_URL are set by the jest global setup');
  return { database, redis };
}

/** The URL of the server's database `name` (same credentials and host). */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file, dropped afterwards: files never see each other's rows. */
export async function createTestDatabase(prefix = 'koryu_test'): Promise<TestDatabase> {
  const server = testServerUrls().database;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(server, name),
    drop: async () => {
      const client = new Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A Redis logical database per jest worker, so parallel files do not share queues. */
export function testRedisUrl(): string {
  const url = new URL(testServerUrls().redis);
  url.pathname = `/${(Number(process.env.JEST_WORKER_ID ?? 1) % 15) + 1}`;
  return url.toString();
}
