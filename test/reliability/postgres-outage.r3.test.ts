/**
 * QUALITY.md R3: PostgreSQL stops during a burst of transitions. This file runs its own
 * PostgreSQL, durable as in production, under the API and the worker, and stops it while clients
 * keep moving cases: with an immediate shutdown (SIGQUIT to the postmaster: every session is cut,
 * nothing is checkpointed, and the next start recovers from the WAL), then with a fast one (SIGINT:
 * sessions ended with an error, then a checkpoint), as an operator's restart does; and it freezes
 * it (SIGSTOP to every process of the server: connections stay open and nothing answers, as with a
 * stalled host or a cut network).
 * - While it is away, every request is answered promptly with 503, the error format (in the
 *   caller's language) and Retry-After; never 500.
 * - Afterwards nothing half-done is visible: each case's version, state, history and outbox agree,
 *   and every transition answered 200 is in the history; sending one again with the version it
 *   was sent with gets 409, never a second transition.
 * - When it returns on the same address, the API and the worker resume by themselves, without a
 *   restart (the first 200 within 5 s), and every transition's event reaches the consumers once:
 *   one notification each.
 * - The notifier, its own process, mails every notification once PostgreSQL is back.
 * - Jobs that run into the outage wait for the database without using up their attempts, so a
 *   longer outage loses nothing either.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Client } from 'pg';
import { QUEUES } from '@koryu/queues';
import { type ApiUnderTest, completeVisit, freePort, type MailSink, type ServiceProcess, spawnService, staffAndManager, startApi, startMailSink, testRedisUrl, transitionDelivery, waitForStatus, waitUntil } from '@koryu/testing';
import { reminderJobId } from '../../apps/worker/timers/reminder-scheduler';
import { type OwnPostgres, startOwnPostgres } from '../support/own-postgres';
import { startWorker } from '../support/worker';

const CASES = 8;
const OUTAGE_MS = 4_000;
/** Longer than the pool's 5 s wait for a connection. */
const STALL_MS = 8_000;
/** The reminder's job fires this long after it is queued: inside the outage that follows. */
const REMINDER_FIRES_IN_MS = 4_000;

let dataDir: string;
let postgres: OwnPostgres;
let databaseUrl: string;
let api: ApiUnderTest;
let worker: INestApplicationContext;
let notifier: ServiceProcess;
let mail: MailSink;
let staff: string;
let manager: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'koryu-r3-pg-'));
  postgres = await startOwnPostgres(dataDir);
  databaseUrl = postgres.url;
  api = await startApi({}, { database: { name: 'koryu_own', url: databaseUrl, drop: async () => undefined } });
  worker = await startWorker(databaseUrl);
  // The notifier as its own process, mailing to this file's SMTP server.
  mail = await startMailSink();
  notifier = spawnService('notifier', { NODE_ENV: 'test', DATABASE_URL: databaseUrl, REDIS_URL: testRedisUrl(), SMTP_URL: mail.url, KORYU_DATA_DIR: mkdtempSync(join(tmpdir(), 'koryu-r3-notifier-')), LOG_LEVEL: process.env.KORYU_TEST_LOG_LEVEL ?? 'error' }, await freePort());
  await waitForStatus(`http://127.0.0.1:${notifier.port}/api/v1/health/ready`, 30_000);
  ({ staff, manager } = await staffAndManager(api.http, { name: '米子市', code: '312029', domain: 'yonago.test' }));
});

afterAll(async () => {
  await notifier?.stop();
  await mail?.close();
  await worker?.close();
  await api?.close();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Moving {
  id: string;
  version: number;
  state: string;
}

interface Answer {
  caseId: string;
  action: string;
  /** The version the request was sent with. */
  sentVersion: number;
  status: number;
  /** When the request was sent, and when its answer arrived. */
  sentAt: number;
  at: number;
  /** While the database was known to be away (between the fault and the recovery). */
  duringOutage: boolean;
  body: { code?: string; message?: string; version?: number };
  retryAfter: string | null;
}

const COMMENT = '日程案を再確認してください';

async function newCases(): Promise<Moving[]> {
  const cases: Moving[] = [];
  for (let i = 0; i < CASES; i += 1) {
    const { status, body } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff });
    expect(status).toBe(201);
    cases.push({ id: body.id, version: body.version, state: body.state });
  }
  return cases;
}

/**
 * Submit and return, over and over, on every case at once: one client per case, each with one
 * request in flight, every answer recorded. After an answer other than 200 the client is unsure
 * whether its transition committed, so it reads the case again.
 */
function burst(cases: Moving[]) {
  const answers: Answer[] = [];
  let outage = false;
  let moving = true;
  const mover = async (c: Moving) => {
    while (moving) {
      const action = c.state === 'draft' ? 'submit' : 'return';
      const sentAt = Date.now();
      const duringOutage = outage;
      const { status, body, headers } = await api.http.post(
        `/api/v1/cases/${c.id}/actions/${action}`,
        { version: c.version, ...(action === 'return' ? { comment: COMMENT } : {}) },
        { token: action === 'submit' ? staff : manager, lang: 'ja' },
      );
      answers.push({ caseId: c.id, action, sentVersion: c.version, status, sentAt, at: Date.now(), duringOutage: duringOutage && outage, body, retryAfter: headers.get('retry-after') });
      if (status === 200) Object.assign(c, { version: body.version, state: body.state });
      else {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const current = await api.http.get(`/api/v1/cases/${c.id}`, { token: staff });
        if (current.status === 200) Object.assign(c, { version: current.body.version, state: current.body.state });
      }
    }
  };
  const running = Promise.all(cases.map(mover));
  return {
    answers,
    outage: (away: boolean) => void (outage = away),
    /** Waits until `count` transitions were answered 200 after `since`. */
    moved: (count: number, since: number, what: string) => waitUntil(() => answers.filter((a) => a.status === 200 && a.at > since).length >= count, 30_000, what),
    stop: async () => {
      moving = false;
      await running;
    },
  };
}

/** A 503 as API.md has it, in the caller's language, with Retry-After. */
function expectUnavailable(answer: Answer): void {
  expect({ status: answer.status, code: answer.body.code, retryAfter: answer.retryAfter }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
  expect(answer.body.message).toMatch(/一時的にサービスを利用できません/);
}

/**
 * Nothing half-done: each case's version counts its history, its state is the last entry's, and
 * each transition has its event; every transition answered 200 is there, and besides those at most
 * one per case committed with its answer lost (the client got 503). Sending the last answered
 * transition again with the version it was sent with gets 409, never a second transition. Then
 * every transition's event reaches the consumers once (one notification each), and the notifier
 * mails every notification, at most one extra copy per concurrent send (a mail the SMTP server
 * accepted just before the fault, whose "mailed" mark was lost with it), under its one Message-ID.
 */
async function expectNothingHalfDoneAndEverythingDelivered(cases: Moving[], answers: Answer[]): Promise<void> {
  const last = answers.filter((a) => a.status === 200).at(-1) as Answer;
  const again = await api.http.post(
    `/api/v1/cases/${last.caseId}/actions/${last.action}`,
    { version: last.sentVersion, ...(last.action === 'return' ? { comment: COMMENT } : {}) },
    { token: last.action === 'submit' ? staff : manager },
  );
  expect(again.status).toBe(409);

  const ids = cases.map((c) => c.id);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ id: string; version: number; state: string; entries: number; transitions: number; last_to: string; events: number }>(
      `SELECT c.id, c.version, c.state,
              (SELECT count(*)::int FROM case_history h WHERE h.case_id = c.id) AS entries,
              (SELECT count(*)::int FROM case_history h WHERE h.case_id = c.id AND h.action IN ('submit', 'return')) AS transitions,
              (SELECT h.to_state FROM case_history h WHERE h.case_id = c.id ORDER BY h.id DESC LIMIT 1) AS last_to,
              (SELECT count(*)::int FROM outbox o WHERE o.case_id = c.id AND o.type = 'case.transitioned') AS events
         FROM workflow_case c WHERE c.id = ANY ($1)`,
      [ids],
    );
    expect(rows).toHaveLength(CASES);
    for (const row of rows) {
      expect(row.entries).toBe(row.version);
      expect(row.last_to).toBe(row.state);
      expect(row.events).toBe(row.transitions);
      const answered = answers.filter((a) => a.caseId === row.id && a.status === 200);
      expect(new Set(answered.map((a) => a.body.version)).size).toBe(answered.length);
      expect(Math.max(...answered.map((a) => a.body.version ?? 0))).toBeLessThanOrEqual(row.version);
      expect(row.transitions - answered.length).toBeGreaterThanOrEqual(0);
      expect(row.transitions - answered.length).toBeLessThanOrEqual(1);
    }

    const transitions = rows.reduce((sum, row) => sum + row.transitions, 0);
    await waitUntil(async () => (await transitionDelivery(sql, ids)).handled === transitions, 60_000, `all ${transitions} events to reach the notifications consumer`);
    expect(await transitionDelivery(sql, ids)).toEqual({ transitions, handled: transitions, notified: transitions });
    // The relay marks its rows sent once the consumers have committed them: a moment after.
    await waitUntil(async () => (await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`)).rows[0].n === 0, 15_000, 'every outbox row marked sent');

    const notifications = async () => (await sql.query<{ id: string; mailed: boolean }>(`SELECT id, mailed_at IS NOT NULL AS mailed FROM notification WHERE case_id = ANY ($1)`, [ids])).rows;
    await waitUntil(async () => (await notifications()).every((n) => n.mailed), 60_000, 'every notification to be mailed');
    const copies = (await notifications()).map((n) => mail.copiesOf(n.id));
    expect(copies.every((n) => n >= 1)).toBe(true);
    expect(copies.reduce((sum, n) => sum + n - 1, 0)).toBeLessThanOrEqual(4);
  } finally {
    await sql.end();
  }
}

it.each([
  ['an immediate shutdown', 'SIGQUIT'],
  ['a fast shutdown', 'SIGINT'],
] as const)('R3: PostgreSQL stops (%s) during a burst of transitions: 503 while it is away, nothing half-done, and everything resumes by itself', async (_, signal) => {
  const cases = await newCases();
  const load = burst(cases);
  await load.moved(40, 0, 'transitions before the outage');
  // A reminder whose delayed job fires while PostgreSQL is away (queued in Redis before the crash).
  const reminder = await reminderDueIn(REMINDER_FIRES_IN_MS);
  await postgres.crash(signal);
  load.outage(true);
  const readiness = await api.http.get('/api/v1/health/ready');
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  load.outage(false);
  postgres = await startOwnPostgres(dataDir, postgres.port);
  const back = Date.now();
  expect(postgres.url).toBe(databaseUrl);

  // The API comes back by itself, within 5 s: readiness, then transitions answered 200 again.
  await waitUntil(async () => (await api.http.get('/api/v1/health/ready')).status === 200, 30_000, 'the API to be ready again');
  await load.moved(20, back, 'transitions after the restart');
  await load.stop();
  const firstAfter = load.answers.find((a) => a.status === 200 && a.at > back);
  expect((firstAfter?.at ?? Infinity) - back).toBeLessThan(5_000);

  // While PostgreSQL was away: 503 with the error format in Japanese and Retry-After, promptly; never 500.
  expect(readiness.status).toBe(503);
  const away = load.answers.filter((a) => a.duringOutage);
  expect(away.length).toBeGreaterThan(CASES);
  for (const answer of away) {
    expectUnavailable(answer);
    expect(answer.at - answer.sentAt).toBeLessThan(7_000);
  }
  expect(load.answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);

  await expectNothingHalfDoneAndEverythingDelivered(cases, load.answers);

  // The reminder's job ran into the outage, waited for the database without using up an attempt,
  // and sent the reminder once after the restart.
  const timers = worker.get<Queue>(getQueueToken(QUEUES.timers), { strict: false });
  // It waits (1 s, 2 s, 4 s… at most 30 s) between its starts, so it may run once more after the restart.
  await waitUntil(async () => (await (await timers.getJob(reminder.jobId))?.getState()) === 'completed', 45_000, 'the reminder job to complete');
  const job = await timers.getJob(reminder.jobId);
  // BullMQ counts the attempt that completed it; no failure was recorded before it.
  expect({ attemptsMade: job?.attemptsMade, failures: job?.stacktrace }).toEqual({ attemptsMade: 1, failures: [] });
  expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ user_id: string; n: number }>(`SELECT user_id, count(*)::int AS n FROM notification WHERE idempotency_key LIKE $1 GROUP BY user_id`, [`reminder:${reminder.id}:%`]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.n === 1)).toBe(true);
  } finally {
    await sql.end();
  }
  for (const name of [QUEUES.events, QUEUES.timers]) {
    const queue = worker.get<Queue>(getQueueToken(name), { strict: false });
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 });
  }
});

it('R3, a stalled server (research T8, a hung connection rather than a refused one): PostgreSQL frozen during a burst. A request that needs a new connection answers 503 after the pool waited 5 s for one, one that had its connection finishes when the server goes on, and nothing is half-done', async () => {
  const cases = await newCases();
  const load = burst(cases);
  await load.moved(40, 0, 'transitions before the stall');
  postgres.freeze();
  load.outage(true);
  const frozenAt = Date.now();
  let thawedAt = Infinity;
  try {
    const readiness = await api.http.get('/api/v1/health/ready');
    expect(readiness.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, STALL_MS));
  } finally {
    postgres.thaw();
    thawedAt = Date.now();
    load.outage(false);
  }
  await load.moved(20, thawedAt, 'transitions after the stall');
  await load.stop();

  // Sent during the stall: 503 within the pool's 5 s wait (and a little), or 200 once the server went on.
  const stalled = load.answers.filter((a) => a.sentAt >= frozenAt && a.sentAt < thawedAt);
  expect(stalled.filter((a) => a.status === 503).length).toBeGreaterThan(0);
  for (const answer of stalled) {
    if (answer.status === 503) {
      expectUnavailable(answer);
      expect(answer.at - answer.sentAt).toBeLessThan(7_000);
    } else {
      expect(answer.status).toBe(200);
      expect(answer.at).toBeGreaterThanOrEqual(thawedAt);
    }
  }
  expect(load.answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);

  await expectNothingHalfDoneAndEverythingDelivered(cases, load.answers);
});

/**
 * A milestone on a case of its own whose reminder fires in `ms`, once its delayed job is in Redis
 * (the scheduler queues it from PostgreSQL within a second or so).
 */
async function reminderDueIn(ms: number): Promise<{ id: string; jobId: string }> {
  const { body: still } = await api.http.post('/api/v1/cases', { program: 'ambassador-visit', data: completeVisit() }, { token: staff });
  const added = await api.http.post(`/api/v1/cases/${still.id}/deadlines`, { title: '会場下見', dueAt: new Date(Date.now() + 10_000 + ms).toISOString(), remindBefore: ['PT10S'] }, { token: staff });
  expect(added.status).toBe(201);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ id: string; generation: number }>(`SELECT r.id, r.generation FROM deadline_reminder r JOIN case_deadline d ON d.id = r.deadline_id WHERE d.case_id = $1 AND d.kind = 'custom'`, [still.id]);
    expect(rows).toHaveLength(1);
    const jobId = reminderJobId(rows[0].id, rows[0].generation);
    const timers = worker.get<Queue>(getQueueToken(QUEUES.timers), { strict: false });
    await waitUntil(async () => (await timers.getJob(jobId)) !== undefined, ms - 1_000, 'the reminder to be queued');
    return { id: rows[0].id, jobId };
  } finally {
    await sql.end();
  }
}
