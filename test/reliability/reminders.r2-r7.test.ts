/**
 * QUALITY.md R2 and R7 for reminders: PostgreSQL holds every pending reminder, so a Redis flush
 * while they wait loses nothing (the scheduler rebuilds their delayed jobs), and two worker
 * replicas deliver each reminder once, also when hundreds fall due together and each replica's
 * batches sweep up reminders whose own jobs have not fired yet. R6 for a moved date: the job left
 * from the old time sends nothing. The flush is FLUSHDB on this test file's own Redis database
 * (FLUSHALL would wipe the other test files' queues running beside it); for Koryu's keys it is the
 * same thing.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { syncReminders } from '@koryu/casework';
import { metricsRegistry } from '@koryu/platform';
import { answerWithin, type ApiUnderTest, startApi, TEST_ADMIN, testRedisUrl, waitUntil, whileRowsHeld } from '@koryu/testing';
import { ReminderScheduler } from '../../apps/worker/timers/reminder-scheduler';
import { startWorker } from '../support/worker';

let api: ApiUnderTest;
let sql: Client;
let staff: string;
const workers: INestApplicationContext[] = [];

async function startReplica(): Promise<INestApplicationContext> {
  const worker = await startWorker(api.database.url);
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  api = await startApi();
  sql = new Client({ connectionString: api.database.url });
  await sql.connect();
  const operator = await api.http.login(TEST_ADMIN.email, TEST_ADMIN.password);
  const organisation = (await api.http.post('/api/v1/organisations', { name: '八幡平市', kind: 'municipality', code: '032140' }, { token: operator })).body.id;
  await api.http.post('/api/v1/users', { email: 'staff@r2.test', name: '担当', password: 'password-of-twelve', organisationId: organisation, roles: ['staff'] }, { token: operator });
  staff = await api.http.login('staff@r2.test', 'password-of-twelve');
});

afterAll(async () => {
  for (const worker of workers) await worker.close();
  await sql.end();
  await api.close();
});

/** A case with `count` custom milestones, each reminding `remindBefore` (PT10S) before a due time `inMs` from now. */
async function caseWithReminders(count: number, inMs: number, remindBefore = ['PT10S']): Promise<string> {
  const created = await api.http.post(
    '/api/v1/cases',
    { program: 'ambassador-visit', data: { envoyKind: 'ambassador', postCountry: 'RW', postName: '在ルワンダ日本国大使館', purposes: ['lecture'] } },
    { token: staff },
  );
  for (let i = 0; i < count; i += 1) {
    const added = await api.http.post(`/api/v1/cases/${created.body.id}/deadlines`, { title: `準備 ${i + 1}`, dueAt: new Date(Date.now() + inMs).toISOString(), remindBefore }, { token: staff });
    expect(added.status).toBe(201);
  }
  return created.body.id;
}

async function notifications(caseId: string): Promise<number> {
  return (await sql.query(`SELECT count(*)::int AS n FROM notification WHERE case_id = $1`, [caseId])).rows[0].n;
}

it('R2: a Redis flush while reminders wait loses none of them, and none fires twice', async () => {
  await startReplica();
  const caseId = await caseWithReminders(5, 16_000);
  const redis = new Redis(testRedisUrl());
  try {
    // Let the scheduler put the delayed jobs in Redis, then wipe them.
    await waitUntil(async () => (await redis.keys('*reminder*')).length + (await redis.zcard('{koryu}:timers:delayed')) >= 5, 5_000, 'the delayed jobs');
    await redis.flushdb();
    expect(await redis.zcard('{koryu}:timers:delayed')).toBe(0);
  } finally {
    redis.disconnect();
  }
  await waitUntil(async () => (await notifications(caseId)) === 5, 20_000, 'five reminders after the flush');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await notifications(caseId)).toBe(5);
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 AND r.sent_at IS NULL`, [caseId]);
  expect(rows[0].n).toBe(0);
});

it('R7: two worker replicas deliver each reminder once', async () => {
  if (workers.length < 2) await startReplica();
  const caseId = await caseWithReminders(10, 14_000);
  await waitUntil(async () => (await notifications(caseId)) === 10, 20_000, 'ten reminders');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await notifications(caseId)).toBe(10);
});

it('R7: two replicas send each of 200 reminders falling due within ten seconds once', async () => {
  if (workers.length < 2) await startReplica();
  const offsets = Array.from({ length: 10 }, (_, k) => `PT${10 + k}S`);
  const caseId = await caseWithReminders(20, 24_000, offsets);
  await waitUntil(async () => (await notifications(caseId)) >= 200, 30_000, '200 reminders');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const { rows } = await sql.query(
    `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys, bool_and(n.created_at >= r.fire_at) AS "noneEarly"
       FROM notification n JOIN deadline_reminder r ON n.idempotency_key LIKE 'reminder:' || r.id || ':%'
       JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1`,
    [caseId],
  );
  expect(rows[0]).toEqual({ n: 200, keys: 200, noneEarly: true });
  const unsent = await sql.query(`SELECT count(*)::int AS n FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 AND r.sent_at IS NULL`, [caseId]);
  expect(unsent.rows[0].n).toBe(0);
});

it('R7: the scheduler waits on no reminder another transaction holds (a replica sending it) and marks the others', async () => {
  if (workers.length === 0) await startReplica();
  const caseId = await caseWithReminders(1, 10 * 60_000, ['PT1M', 'PT2M']);
  const reminders = async () =>
    (await sql.query(`SELECT r.id, r.queued_generation = r.generation AS queued FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 ORDER BY r.before`, [caseId])).rows;
  await waitUntil(async () => (await reminders()).every((r) => r.queued), 5_000, 'both jobs in Redis');
  const [held, free] = await reminders();
  // One held as a replica sending it holds it; the other is to be marked again.
  await whileRowsHeld(api.database.url, 'SELECT id FROM deadline_reminder WHERE id = $1 FOR UPDATE', [held.id], async () => {
    await sql.query('UPDATE deadline_reminder SET queued_generation = NULL WHERE id = $1', [free.id]);
    const pass = workers[0].get(ReminderScheduler, { strict: false }).scheduleDue(Date.now(), { full: true });
    expect(await answerWithin(pass.then(() => 'done'), 5_000)).toBe('done');
    expect(await reminders()).toEqual([{ id: held.id, queued: true }, { id: free.id, queued: true }]);
  });
});

it("R6: the job left from a reminder's old time sends nothing; it fires once at its new time", async () => {
  if (workers.length === 0) await startReplica();
  const caseId = await caseWithReminders(1, 15_000);
  const reminder = async () =>
    (await sql.query(`SELECT r.generation, r.queued_generation AS queued, r.fire_at AS "fireAt", r.sent_at AS "sentAt" FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1`, [caseId])).rows[0];
  await waitUntil(async () => (await reminder())?.queued === 1, 5_000, 'the first job in Redis');
  const oldFireAt = new Date((await reminder()).fireAt).getTime();
  // The deadline moves 8 s later, as the deadlines consumer moves one: a new generation, and the reminders follow.
  await sql.query(`UPDATE case_deadline SET due_at = due_at + interval '8 seconds', generation = generation + 1 WHERE case_id = $1`, [caseId]);
  await syncReminders(async (text, params) => (await sql.query(text, params)).rows, [caseId]);
  expect(await reminder()).toMatchObject({ generation: 2, queued: 1, sentAt: null });
  // Past the old time (its job fired): nothing sent.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, oldFireAt + 2_000 - Date.now())));
  expect(await notifications(caseId)).toBe(0);
  await waitUntil(async () => (await notifications(caseId)) === 1, 12_000, 'the reminder at its new time');
  const sent = await reminder();
  expect(new Date(sent.sentAt).getTime()).toBeGreaterThanOrEqual(oldFireAt + 8_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await notifications(caseId)).toBe(1);
});

it('reports reminder lateness and queue depths as Prometheus metrics', async () => {
  const text = await metricsRegistry.metrics();
  const handled = Number(/koryu_timer_lateness_seconds_count\{kind="reminder"\} (\d+)/.exec(text)?.[1] ?? 0);
  expect(handled).toBeGreaterThanOrEqual(15);
  expect(text).toMatch(/koryu_queue_jobs\{queue="timers",state="delayed"\} \d+/);
});
