import type { RedisOptions } from 'bullmq';

function parse(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

/**
 * Connections for BullMQ Workers: blocking commands must wait through a Redis restart rather
 * than fail (`maxRetriesPerRequest: null`, BullMQ "going to production").
 */
export function workerConnection(url: string): RedisOptions {
  return { ...parse(url), maxRetriesPerRequest: null, enableReadyCheck: true };
}

/**
 * Connections for producers: fail fast while Redis is away (the caller retries from PostgreSQL)
 * instead of queueing commands in memory (BullMQ "failing fast when Redis is down").
 */
export function producerConnection(url: string): RedisOptions {
  return { ...parse(url), enableOfflineQueue: false, maxRetriesPerRequest: 1 };
}
