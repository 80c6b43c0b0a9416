import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the test run a PostgreSQL server (where each test file creates its own database) and a
 * Redis server. .ci/run starts its own and passes KORYU_TEST_DATABASE_URL / KORYU_TEST_REDIS_URL;
 * a developer's `npm test` gets throwaway ones here, stopped by the global teardown.
 */
export default async function globalSetup(): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  const needsServers = !process.env.KORYU_TEST_DATABASE_URL || !process.env.KORYU_TEST_REDIS_URL;
  const { ensureRedis, findFreePort, startEmbeddedPostgres } = needsServers ? await import('../../libs/devstack') : ({} as never);
  if (!process.env.KORYU_TEST_DATABASE_URL) {
    const dataDir = mkdtempSync(join(tmpdir(), 'koryu-test-pg-'));
    const postgres = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'postgres' });
    process.env.KORYU_TEST_DATABASE_URL = postgres.url;
    stops.push(postgres.stop);
  }
  if (!process.env.KORYU_TEST_REDIS_URL) {
    const port = await findFreePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'koryu-test-redis-'));
    const redis = await ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir, persistent: false });
    process.env.KORYU_TEST_REDIS_URL = redis.url;
    stops.push(redis.stop);
  }
  (globalThis as { __koryuStops?: (() => Promise<void>)[] }).__koryuStops = stops;
  writeFileSync(join(tmpdir(), 'koryu-test-servers.json'), JSON.stringify({ database: process.env.KORYU_TEST_DATABASE_URL, redis: process.env.KORYU_TEST_REDIS_URL }));
}
