import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Gives the test run a PostgreSQL server (where each test file creates its own database) and a
 * Redis server. .ci/run starts its own and passes KORYU_TEST_DATABASE_URL / KORYU_TEST_REDIS_URL;
 * a developer's `npm test` gets throwaway ones from test-servers.js, stopped by the teardown.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KORYU_TEST_DATABASE_URL && process.env.KORYU_TEST_REDIS_URL) return;
  const child = spawn(process.execPath, [join(__dirname, 'test-servers.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const urls = await new Promise<{ database: string; redis: string }>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('\n')) resolve(JSON.parse(output.split('\n')[0]) as { database: string; redis: string });
    });
    child.once('exit', (code) => reject(new Error(`the test servers exited with code ${code} before starting`)));
  });
  child.stdout?.resume();
  process.env.KORYU_TEST_DATABASE_URL ||= urls.database;
  process.env.KORYU_TEST_REDIS_URL ||= urls.redis;
  (globalThis as { __koryuTestServers?: ChildProcess }).__koryuTestServers = child;
}
