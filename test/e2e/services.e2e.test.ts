/**
 * The built services as separate processes, as they run in production: each starts alone against
 * PostgreSQL and Redis, they only meet through the queues, and killing one leaves the others up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { producerConnection, QUEUE_PREFIX, QUEUES } from '@koryu/queues';
import { Client } from 'pg';
import { completeVisit, createTestDatabase, freePort, HttpClient, type MailSink, spawnService, type ServiceProcess, staffAndManager, startMailSink, TEST_ADMIN, type TestDatabase, testRedisUrl, transitionDelivery, waitForStatus, waitUntil } from '@koryu/testing';

describe('services as separate processes', () => {
  let database: TestDatabase;
  let mail: MailSink;
  let env: Record<string, string>;
  const running: ServiceProcess[] = [];

  const start = async (name: 'api' | 'worker' | 'notifier') => {
    const service = spawnService(name, env, await freePort());
    running.push(service);
    await waitForStatus(`http://127.0.0.1:${service.port}/api/v1/health/ready`, 60_000);
    return service;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    mail = await startMailSink();
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      SMTP_URL: mail.url,
      KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-e2e-')),
      KORYU_ADMIN_EMAIL: TEST_ADMIN.email,
      KORYU_ADMIN_PASSWORD: TEST_ADMIN.password,
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    await Promise.all(running.map((service) => service.stop('SIGKILL')));
    await mail.close();
    await database.drop();
  });

  it('a service with a bad variable exits with one line naming it', async () => {
    const service = spawnService('api', { ...env, KORYU_DEMO: 'yes' }, await freePort());
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^Configuration error: KORYU_DEMO .*"yes"/)]);
  });

  it('the notifier refuses to start without SMTP_URL, saying so in one line', async () => {
    const { SMTP_URL: _omitted, ...withoutSmtp } = env;
    const service = spawnService('notifier', withoutSmtp, await freePort());
    expect((await service.exited).code).toBe(1);
    expect(service.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^Configuration error: SMTP_URL is missing/)]);
  });

  it('starts all three, logs in over HTTP, and keeps working while one is killed and restarted', async () => {
    const api = await start('api');
    const [worker] = await Promise.all([start('worker'), start('notifier')]);
    const http = new HttpClient(`http://127.0.0.1:${api.port}`);
    const token = await http.login(TEST_ADMIN.email, TEST_ADMIN.password);
    expect((await http.get('/api/v1/me', { token })).body).toMatchObject({ email: TEST_ADMIN.email, roles: ['admin'] });

    await worker.stop('SIGKILL');
    // The API does not depend on the worker: it still answers and is ready.
    await waitForStatus(`http://127.0.0.1:${api.port}/api/v1/health/ready`, 5_000);
    expect((await http.get('/api/v1/me', { token })).status).toBe(200);

    // Work queued while the worker is down waits in Redis and is done once it is back.
    const queue = new Queue(QUEUES.system, { connection: producerConnection(env.REDIS_URL), prefix: QUEUE_PREFIX });
    try {
      const job = await queue.add('canary', { service: 'e2e' }, { removeOnComplete: false });
      await new Promise((done) => setTimeout(done, 1000));
      expect(await job.getState()).toBe('waiting');
      await start('worker');
      await waitUntil(async () => (await job.getState()) === 'completed', 20_000, 'the job queued while the worker was down');
    } finally {
      await queue.close();
    }
  });

  it('a worker stopped with SIGTERM in the middle of a burst finishes what it holds, stops within 10 s, and a new one does the rest, each event once (research T17)', async () => {
    const api = running.find((service) => service.name === 'api' && service.child.exitCode === null) ?? (await start('api'));
    const http = new HttpClient(`http://127.0.0.1:${api.port}`);
    const { staff } = await staffAndManager(http, { name: '浜田市', code: '322024', domain: 'hamada.test' });
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      for (const service of running.filter((s) => s.name === 'worker')) await service.stop('SIGKILL');
      const worker = await start('worker');
      const ids: string[] = [];
      await Promise.all(
        Array.from({ length: 30 }, async () => {
          const { body } = await http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff });
          const submitted = await http.post(`/api/v1/cases/${body.id}/actions/submit`, { version: body.version }, { token: staff });
          expect(submitted.status).toBe(200);
          ids.push(body.id);
        }),
      );
      const stopping = Date.now();
      worker.child.kill('SIGTERM');
      const { code, signal } = await worker.exited;
      // Nest runs its shutdown hooks (the queue workers finish their jobs, the relay its batch), then
      // raises the signal again, so the parent sees a process ended by SIGTERM, not a crash.
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(Date.now() - stopping).toBeLessThan(10_000);

      // Nothing left active (a job the stopped worker held would stall), and a new worker finishes the rest.
      const events = new Queue(QUEUES.events, { connection: producerConnection(env.REDIS_URL), prefix: QUEUE_PREFIX });
      try {
        expect((await events.getJobCounts('active')).active).toBe(0);
      } finally {
        await events.close();
      }
      await start('worker');
      await waitUntil(async () => (await transitionDelivery(sql, ids)).handled === ids.length, 30_000, 'every event handled');
      expect(await transitionDelivery(sql, ids)).toEqual({ transitions: ids.length, handled: ids.length, notified: ids.length });
    } finally {
      await sql.end();
    }
  });
});
