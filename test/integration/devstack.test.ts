/** The development stack `npm start` relies on: a real redis-server with the settings the deadline engine needs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureRedis, findFreePort, findRedisServer, RedisServerNotFoundError } from '@koryu/devstack';
import { testServerUrls } from '@koryu/testing';

describe('ensureRedis', () => {
  it('starts redis-server with AOF everysec, noeviction and hz 100, and stops it', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    const redis = await ensureRedis({ url, dataDir: mkdtempSync(join(tmpdir(), 'koryu-redis-')), persistent: true });
    const client = new Redis(url);
    try {
      expect(redis.started).toBe(true);
      const settings = Object.fromEntries(
        (await Promise.all(['appendonly', 'appendfsync', 'maxmemory-policy', 'hz'].map((name) => client.config('GET', name)))).map((pair) => pair as [string, string]),
      );
      expect(settings).toEqual({ appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction', hz: '100' });
    } finally {
      client.disconnect();
      await redis.stop();
    }
    const again = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    again.on('error', () => undefined);
    await expect(again.connect()).rejects.toThrow();
    expect(again.status).toBe('end');
  });

  it('uses a Redis that already answers instead of starting another', async () => {
    const url = testServerUrls().redis;
    const redis = await ensureRedis({ url, dataDir: mkdtempSync(join(tmpdir(), 'koryu-redis-')), persistent: false });
    expect(redis.started).toBe(false);
  });

  it('says how to install redis-server when there is none on PATH', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    const saved = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-path-'));
    try {
      expect(findRedisServer()).toBeUndefined();
      const failure = ensureRedis({ url, dataDir: mkdtempSync(join(tmpdir(), 'koryu-redis-')), persistent: false });
      await expect(failure).rejects.toBeInstanceOf(RedisServerNotFoundError);
      await expect(failure).rejects.toThrow(/apt-get install redis-server.*brew install redis/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
