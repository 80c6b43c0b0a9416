import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { delay } from './ports';
import type { RunningService } from './postgres';

export class RedisServerNotFoundError extends Error {
  constructor() {
    super(
      'Redis is not reachable and no redis-server is on PATH. Install it (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL to a running Redis.',
    );
    this.name = 'RedisServerNotFoundError';
  }
}

export interface EnsureRedisOptions {
  /** Where Redis is expected; when nothing answers there, a redis-server is started on its port. */
  url: string;
  /** Data directory of a started server (AOF). */
  dataDir: string;
  /** false: no persistence at all (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface RedisService extends RunningService {
  /** true when this call started the server (and `stop` stops it); false when one already answered. */
  started: boolean;
}

/**
 * The durability and timing settings the deadline engine relies on, from the research: AOF with
 * fsync every second (a restart loses at most a second of triggers, and PostgreSQL rebuilds those),
 * `noeviction` (BullMQ must never lose keys to memory pressure) and `hz 100` (delayed jobs promoted
 * within ~15 ms p99 instead of ~86 ms at the default hz 10).
 */
export function redisServerArguments(port: number, dataDir: string, persistent: boolean): string[] {
  const persistence = persistent ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dataDir,
    ...persistence,
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--hz', '100',
    '--daemonize', 'no',
  ];
}

export async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 800, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    // A client whose connection failed has ended already; disconnecting it again would leave a
    // 2 s timer of ioredis's (disconnectTimeout, set for a socket whose close already came) that
    // keeps the process alive.
    if (client.status !== 'end') client.disconnect();
  }
}

/** The redis-server executable on PATH, if any. */
export function findRedisServer(path = process.env.PATH ?? ''): string | undefined {
  for (const directory of path.split(delimiter).filter(Boolean)) {
    const candidate = join(directory, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Uses the Redis at `url` when it answers; otherwise starts redis-server on that port. */
export async function ensureRedis(options: EnsureRedisOptions): Promise<RedisService> {
  if (await answersPing(options.url)) return { url: options.url, started: false, stop: async () => undefined };
  const binary = findRedisServer();
  if (!binary) throw new RedisServerNotFoundError();
  const parsed = new URL(options.url);
  const port = Number(parsed.port || 6379);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log = options.onLog ?? (() => undefined);
  const child = spawn(binary, redisServerArguments(port, dataDir, options.persistent), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let running = true;
  void exited.then(() => (running = false));

  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (!running) throw new Error(`redis-server exited at start on port ${port}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    if (await answersPing(options.url)) {
      return {
        url: options.url,
        started: true,
        stop: async () => {
          if (!running) return;
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await delay(100);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}
