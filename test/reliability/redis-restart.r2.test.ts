/**
 * QUALITY.md R2 with a Redis restart rather than a flush (research/anchors-reliability.md T4 (b)):
 * this file's own redis-server, without persistence, is killed with SIGKILL while reminders wait
 * and started again, empty, on the same port. Every reminder still fires once (the scheduler sees
 * the epoch key gone and rebuilds the jobs from PostgreSQL), and a canary sent through each queue
 * the worker consumes comes out the other end after the restart (bullmq #2466, #2964: workers that
 * reconnect but never consume again). The same redis-server then serves the other Redis faults of
 * the research (T6, T7): away during traffic, out of memory, and set to evict keys.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { QUEUE_CANARIES } from '@koryu/platform';
import type { QueueCanaries } from '@koryu/queues';
import { type ApiUnderTest, completeVisit, freePort, staffAndManager, startApi, waitUntil } from '@koryu/testing';
import { startWorker } from '../support/worker';

let redisPort: number;
let redisServer: ChildProcess;
let api: ApiUnderTest;
let worker: INestApplicationContext;
let sql: Client;
let staff: string;

async function startRedis(): Promise<void> {
  redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', mkdtempSync(join(tmpdir(), 'koryu-redis-'))], { stdio: 'ignore' });
  const probe = new Redis({ port: redisPort, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: 0 });
  try {
    await waitUntil(async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000, 'redis-server');
  } finally {
    probe.disconnect();
  }
}

async function killRedis(): Promise<void> {
  const exited = new Promise((resolve) => redisServer.once('exit', resolve));
  redisServer.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  api = await startApi({ REDIS_URL: redisUrl });
  worker = await startWorker(api.database.url, { redisUrl });
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  ({ staff } = await staffAndManager(api.http, { name: '雲南市', code: '322091', domain: 'unnan.test' }));
});

afterAll(async () => {
  await sql.end();
  await worker.close();
  await api.close();
  redisServer.kill('SIGKILL');
});

async function notifications(caseId: string, kind: string): Promise<number> {
  return (await sql.query(`SELECT count(*)::int AS n FROM notification WHERE case_id = $1 AND kind = $2`, [caseId, kind])).rows[0].n;
}

it('R2: Redis killed and restarted empty while reminders wait: each fires once, and every queue the worker consumes passes its canary', async () => {
  const { body: created } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff });
  for (let i = 0; i < 5; i += 1) {
    const added = await api.http.post(`/api/v1/cases/${created.id}/deadlines`, { title: `会場下見 ${i + 1}`, dueAt: new Date(Date.now() + 18_000).toISOString(), remindBefore: ['PT10S'] }, { token: staff });
    expect(added.status).toBe(201);
  }
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
  try {
    await waitUntil(async () => (await redis.zcard('{koryu}:timers:delayed')) >= 5, 10_000, 'the delayed reminder jobs');
  } finally {
    redis.disconnect();
  }

  await killRedis();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await startRedis();

  // Every consumed queue (events, timers with a delayed canary, system) consumes again.
  const canaries = worker.get<QueueCanaries>(QUEUE_CANARIES);
  expect(canaries.all().map((c) => c.queueName).sort()).toEqual(['events', 'system', 'timers']);
  for (const canary of canaries.all()) await canary.probe(15_000);

  await waitUntil(async () => (await notifications(created.id, 'reminder')) === 5, 20_000, 'five reminders after the restart');
  // A transition after the restart reaches the consumers: the manager is told the case waits.
  const submitted = await api.http.post(`/api/v1/cases/${created.id}/actions/submit`, { version: created.version }, { token: staff });
  expect(submitted.status).toBe(200);
  await waitUntil(async () => (await notifications(created.id, 'action-needed')) === 1, 10_000, 'the action-needed notification');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await notifications(created.id, 'reminder')).toBe(5);
});

/**
 * Submits three new cases while Redis cannot take writes (between `fault.begin` and `fault.end`):
 * each transition commits (the path needs PostgreSQL only), and its event still reaches the
 * consumers, which the outbox relay hands it to through PostgreSQL alone: before the fault ends,
 * each case's managers are told once that it waits for them, and the outbox rows are marked sent.
 * After the fault nothing is delivered twice.
 */
async function expectTransitionsToOutlast(fault: { begin(): Promise<void>; end(): Promise<void> }): Promise<void> {
  const cases = [];
  for (let i = 0; i < 3; i += 1) cases.push((await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff })).body);
  try {
    await fault.begin();
    for (const c of cases) {
      const submitted = await api.http.post(`/api/v1/cases/${c.id}/actions/submit`, { version: c.version }, { token: staff });
      expect(submitted.status).toBe(200);
    }
    for (const c of cases) await waitUntil(async () => (await notifications(c.id, 'action-needed')) === 1, 20_000, 'the action-needed notification of each case, while Redis cannot take writes');
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`)).rows[0].n === 0, 10_000, 'every outbox row marked sent, while Redis cannot take writes');
  } finally {
    await fault.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (const c of cases) expect(await notifications(c.id, 'action-needed')).toBe(1);
}

it('Redis away during traffic (research T6): transitions still commit, readiness names Redis, and their events are delivered all the same', async () => {
  await expectTransitionsToOutlast({
    begin: async () => {
      await killRedis();
      const readiness = await api.http.get('/api/v1/health/ready');
      expect(readiness.status).toBe(503);
      expect(readiness.text).toMatch(/redis/i);
    },
    end: startRedis,
  });
  await waitUntil(async () => (await api.http.get('/api/v1/health/ready')).status === 200, 15_000, 'readiness after Redis returns');
});

it('a Redis that may evict keys (research T7: a maxmemory-policy other than noeviction) makes readiness answer 503, naming the policy, until it is set back', async () => {
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
  try {
    expect((await api.http.get('/api/v1/health/ready')).status).toBe(200);
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const readiness = await api.http.get('/api/v1/health/ready');
    expect(readiness.status).toBe(503);
    expect(readiness.body.details.redis).toEqual({ status: 'down', message: expect.stringMatching(/maxmemory-policy is allkeys-lru.*noeviction/) });
    expect(readiness.body.details.postgres.status).toBe('up');
  } finally {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    redis.disconnect();
  }
  const readiness = await api.http.get('/api/v1/health/ready');
  expect(readiness.status).toBe(200);
  expect(readiness.body.details.redis).toEqual({ status: 'up', maxmemoryPolicy: 'noeviction' });
});

it('Redis out of memory (research T7, noeviction): transitions still commit and their events are delivered, each once', async () => {
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
  try {
    await expectTransitionsToOutlast({
      begin: async () => {
        // A limit below what Redis already holds: every write is refused with OOM, nothing is evicted.
        await redis.config('SET', 'maxmemory', '1');
        await expect(redis.set('koryu-test:oom-probe', 'x')).rejects.toThrow(/OOM/);
      },
      end: async () => void (await redis.config('SET', 'maxmemory', '0')),
    });
  } finally {
    redis.disconnect();
  }
});
